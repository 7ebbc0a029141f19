const UTF8_BOM = [0xef, 0xbb, 0xbf];

/**
 * A dependency file's text as pip reads it: by its byte-order mark (UTF-8, or UTF-16 LE / BE:
 * `pip freeze > requirements.txt` in Windows PowerShell writes UTF-16 LE with a BOM), else UTF-8.
 * Line ends (CRLF) are left to the parsers, which take either.
 */
export function decodeDependencyFile(bytes: Uint8Array): string {
  if (bytes[0] === 0xff && bytes[1] === 0xfe) return new TextDecoder("utf-16le").decode(bytes.subarray(2));
  if (bytes[0] === 0xfe && bytes[1] === 0xff) return new TextDecoder("utf-16be").decode(bytes.subarray(2));
  const bom = UTF8_BOM.every((b, i) => bytes[i] === b);
  return new TextDecoder("utf-8").decode(bom ? bytes.subarray(3) : bytes);
}
