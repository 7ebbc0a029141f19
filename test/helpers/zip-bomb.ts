import { crc32, deflateRawSync } from "node:zlib";

/**
 * A zip of `count` entries that each inflate to the same `bytes` of JSON, written by hand from one
 * deflated body (a zip bomb: a few MB on the wire, `count × bytes` unpacked), with true sizes and
 * CRCs in its headers.
 */
export function zipBomb(count: number, bytes: number): Buffer {
  const json = Buffer.alloc(bytes, 0x20);
  json.write('{"id":"PYSEC-BOMB","modified":"2026-11-20T00:00:00Z","pad":"');
  json.write('"}', bytes - 2);
  const body = deflateRawSync(json, { level: 9 });
  const crc = crc32(json);
  const locals: Buffer[] = [];
  const centrals: Buffer[] = [];
  let offset = 0;
  for (let i = 0; i < count; i++) {
    const name = Buffer.from(`PYSEC-BOMB-${i}.json`);
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(20, 4);
    local.writeUInt16LE(8, 8); // deflated
    local.writeUInt32LE(crc, 14);
    local.writeUInt32LE(body.length, 18);
    local.writeUInt32LE(bytes, 22);
    local.writeUInt16LE(name.length, 26);
    const central = Buffer.alloc(46);
    central.writeUInt32LE(0x02014b50, 0);
    central.writeUInt16LE(20, 4);
    central.writeUInt16LE(20, 6);
    central.writeUInt16LE(8, 10);
    central.writeUInt32LE(crc, 16);
    central.writeUInt32LE(body.length, 20);
    central.writeUInt32LE(bytes, 24);
    central.writeUInt16LE(name.length, 28);
    central.writeUInt32LE(offset, 42);
    locals.push(local, name, body);
    centrals.push(central, name);
    offset += local.length + name.length + body.length;
  }
  const directory = Buffer.concat(centrals);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(count, 8);
  end.writeUInt16LE(count, 10);
  end.writeUInt32LE(directory.length, 12);
  end.writeUInt32LE(offset, 16);
  return Buffer.concat([...locals, directory, end]);
}
