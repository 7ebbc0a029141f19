// msgpackr loads this in a try/catch and falls back to its JavaScript decoder when it throws.
throw new Error("msgpackr-extract is not installed: pysec-herald uses msgpackr's JavaScript decoder");
