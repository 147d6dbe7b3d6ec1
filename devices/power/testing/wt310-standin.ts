/**
 * For the tests: a Yokogawa WT310 stand-in on 127.0.0.1 (an ephemeral port) speaking the meter's SCPI lines
 * as devices/power/scpi-meter.ts sends them (*IDN?, the set-up commands, :NUMeric:NORMal:VALue? 1), answering
 * each value query from a scripted power curve in the meter's own <NR3> format. Real meters were not available
 * to the tests; this replays the format, not the instrument.
 */
import net from 'node:net';

/** <NR3> as a WT300 prints it: 5 significant digits, a two-digit signed exponent (12.345 -> 1.2345E+01). */
function nr3(v: number): string {
  const [m, e] = v.toExponential(4).toUpperCase().split('E') as [string, string];
  const n = Number(e);
  return `${m}E${n < 0 ? '-' : '+'}${String(Math.abs(n)).padStart(2, '0')}`;
}

export interface MeterScript {
  /** Replies to successive :NUMeric:NORMal:VALue? 1 queries: a number (watts) or a raw reply such as NAN. */
  readonly values: readonly (number | string)[];
  /** After this many value replies: go silent, or hang up. */
  readonly after?: { readonly count: number; readonly then: 'silent' | 'hangup' };
}

export interface Wt310Standin {
  readonly port: number;
  /** Every line the meter received, in order. */
  readonly received: string[];
  /** Replays the curve from its start, answering every query from now on. */
  rewind(): void;
  close(): Promise<void>;
}

/** A WT310 stand-in on 127.0.0.1, port 0, answering from a scripted power curve. */
export async function startWt310Standin(script: MeterScript): Promise<Wt310Standin> {
  const received: string[] = [];
  const sockets = new Set<net.Socket>();
  let served = 0;
  let after = script.after;
  const server = net.createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    let buffer = '';
    socket.setEncoding('latin1');
    socket.on('data', (d: string) => {
      buffer += d;
      let nl: number;
      while ((nl = buffer.indexOf('\n')) >= 0) {
        const line = buffer.slice(0, nl).trim();
        buffer = buffer.slice(nl + 1);
        received.push(line);
        if (line === '*IDN?') socket.write('YOKOGAWA,WT310,C2QD00001,F1.03\n');
        else if (/^:NUM(ERIC)?:NORM(AL)?:VAL(UE)?\? 1$/i.test(line)) {
          if (after && served >= after.count) {
            if (after.then === 'hangup') socket.destroy();
            continue;
          }
          const v = script.values[Math.min(served, script.values.length - 1)]!;
          served += 1;
          socket.write(`${typeof v === 'number' ? nr3(v) : v}\r\n`);
        }
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  return {
    port,
    received,
    rewind: () => {
      served = 0;
      after = undefined;
    },
    close: async () => {
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
