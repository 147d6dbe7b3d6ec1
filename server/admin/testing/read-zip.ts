/**
 * Reads a zip back with another implementation than the one that wrote it (tests only): Python's zipfile,
 * which checks every entry's CRC as it reads. Answers the names in order, the text of the CSV and JSON
 * entries, the CSV entries parsed by Python's csv module, and each other entry's sha256 and size.
 */
import { execFileSync } from 'node:child_process';

export interface ZipContents {
  readonly names: string[];
  readonly text: Record<string, string>;
  readonly csv: Record<string, string[][]>;
  readonly files: Record<string, { sha256: string; bytes: number }>;
}

const SCRIPT = `
import csv, hashlib, io, json, sys, zipfile
out = {"names": [], "text": {}, "csv": {}, "files": {}}
with zipfile.ZipFile(sys.argv[1]) as z:
    bad = z.testzip()
    if bad is not None:
        sys.exit("bad CRC in " + bad)
    for info in z.infolist():
        out["names"].append(info.filename)
        data = z.read(info)
        if info.filename.endswith((".csv", ".json")):
            text = data.decode("utf-8")
            out["text"][info.filename] = text
            if info.filename.endswith(".csv"):
                out["csv"][info.filename] = list(csv.reader(io.StringIO(text, newline="")))
        else:
            out["files"][info.filename] = {"sha256": hashlib.sha256(data).hexdigest(), "bytes": len(data)}
json.dump(out, sys.stdout)
`;

export function readZip(file: string): ZipContents {
  return JSON.parse(execFileSync('/usr/bin/python3', ['-c', SCRIPT, file], { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 })) as ZipContents;
}
