/**
 * An external power meter of the Yokogawa WT300 class (WT310, WT310E, WT332E, WT333E) over SCPI on a TCP
 * socket: commands and replies are lines of ASCII ending in a newline. At connect the meter is asked who it
 * is and set to report one numeric item, the active power P of an input element:
 *
 *   *IDN?                          -> YOKOGAWA,WT310,<serial>,<firmware>
 *   :COMMunicate:HEADer OFF        replies without a command header
 *   :NUMeric:FORMat ASCii          values as text (<NR3>, e.g. 1.2345E+00)
 *   :NUMeric:NORMal:NUMber 1       one item
 *   :NUMeric:NORMal:ITEM1 P,1      item 1 = active power of element 1
 *
 * and each reading is `:NUMeric:NORMal:VALue? 1` -> `12.345E+00` (watts). `NAN` (no data, e.g. before the
 * first update) and `INF` (overrange), or their IEEE 488.2 forms 9.91E+37 / 9.9E+37, are refused with
 * LPCV_E_POWER_VALUE: a measurement with a hole is not a measurement.
 *
 * The meter updates its values at its own rate (100 ms to 5 s, set on the meter; the old LPCVC used 1 s), so
 * polling faster than that repeats values, which the trapezoid handles correctly. Every query has a timeout:
 * a meter that stops answering is LPCV_E_POWER_TIMEOUT and one that hangs up LPCV_E_POWER_READ (both
 * infrastructure faults), and the agent is never left waiting. The connection is reopened by the next start()
 * after a failure, so one bad run does not take the device out of service.
 *
 * Not confirmed against a real meter: the WT310's native Ethernet interface (option /C7) may need VXI-11 or
 * Yokogawa's framed protocol rather than raw lines (this speaks raw lines, as a serial-to-TCP bridge or a
 * socket server in front of the meter does); :COMMunicate:HEADer on the WT300 series (other WT models have it;
 * harmless if refused); the exact command names were taken from WT-series manuals and third-party scripts.
 */
import net from 'node:net';
import { LpcvError } from '../../errors/lpcv-error.js';
import { checkWatts } from './polled-sampler.js';
import type { PowerSample, PowerSampler, PowerTrace } from './power-sampler.js';
import { Poller, type Clock, type Timer } from './poller.js';

export const SCPI_DEFAULT_PERIOD_MS = 250;

/** A reply to :NUMeric:NORMal:VALue? to watts; refuses NAN, INF and the 9.9E+37 sentinels. */
export function parseScpiNumber(reply: string): number {
  const s = reply.trim();
  if (/^[+-]?(NAN|INF)$/i.test(s)) {
    throw new LpcvError(
      'LPCV_E_POWER_VALUE',
      `the meter answered ${s}${/INF/i.test(s) ? ' (over range: set a higher current or voltage range)' : ' (no data)'}`,
    );
  }
  if (!/^[+-]?(\d+(\.\d*)?|\.\d+)(E[+-]?\d+)?$/i.test(s))
    throw new LpcvError('LPCV_E_POWER_VALUE', `the meter answered ${JSON.stringify(s.slice(0, 80))}, not a number`);
  const v = Number(s);
  if (Math.abs(v) >= 9.9e37) throw new LpcvError('LPCV_E_POWER_VALUE', `the meter answered ${s}, its code for no data or over range`);
  return v;
}

/** One line-based SCPI connection; one query at a time, each with a timeout. */
export class ScpiConnection {
  readonly #socket: net.Socket;
  readonly #timeoutMs: number;
  readonly #where: string;
  #buffer = '';
  #lines: string[] = [];
  #waiter: { resolve: (line: string) => void; reject: (e: LpcvError) => void } | undefined;
  #error: LpcvError | undefined;

  private constructor(socket: net.Socket, where: string, timeoutMs: number) {
    this.#socket = socket;
    this.#where = where;
    this.#timeoutMs = timeoutMs;
    socket.setEncoding('latin1');
    socket.setNoDelay(true);
    socket.on('data', (d: string) => {
      this.#buffer += d;
      let nl: number;
      while ((nl = this.#buffer.indexOf('\n')) >= 0) {
        this.#lines.push(this.#buffer.slice(0, nl).replace(/\r$/, ''));
        this.#buffer = this.#buffer.slice(nl + 1);
      }
      this.#deliver();
    });
    socket.on('error', (e) => this.#fail(new LpcvError('LPCV_E_POWER_READ', `the meter at ${where}: ${e.message}`)));
    socket.on('close', () => this.#fail(new LpcvError('LPCV_E_POWER_READ', `the meter at ${where} closed the connection`)));
  }

  static connect(host: string, port: number, timeoutMs: number): Promise<ScpiConnection> {
    const where = `${host}:${port}`;
    return new Promise((resolve, reject) => {
      const socket = net.connect({ host, port });
      const timer = setTimeout(() => {
        socket.destroy();
        reject(new LpcvError('LPCV_E_POWER_NO_SENSOR', `no power meter answered at ${where} within ${timeoutMs} ms`));
      }, timeoutMs);
      socket.once('connect', () => {
        clearTimeout(timer);
        socket.removeAllListeners('error');
        resolve(new ScpiConnection(socket, where, timeoutMs));
      });
      socket.once('error', (e) => {
        clearTimeout(timer);
        reject(new LpcvError('LPCV_E_POWER_NO_SENSOR', `no power meter at ${where}: ${e.message}`));
      });
    });
  }

  get broken(): boolean {
    return this.#error !== undefined;
  }

  /** Sends a command that has no reply. */
  write(command: string): void {
    if (this.#error) throw this.#error;
    this.#socket.write(`${command}\n`);
  }

  /** Sends a query and waits for its reply line (LPCV_E_POWER_TIMEOUT past the timeout; the link is then dropped). */
  query(command: string): Promise<string> {
    if (this.#error) return Promise.reject(this.#error);
    if (this.#waiter) return Promise.reject(new LpcvError('LPCV_E_POWER_STATE', 'two SCPI queries at once'));
    this.#lines = [];
    return new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#waiter = undefined;
        // A late reply would be taken for the next query's: the connection cannot be trusted any more.
        this.#fail(new LpcvError('LPCV_E_POWER_TIMEOUT', `the meter at ${this.#where} did not answer ${command} within ${this.#timeoutMs} ms`));
        reject(this.#error);
      }, this.#timeoutMs);
      this.#waiter = {
        resolve: (line) => (clearTimeout(timer), resolve(line)),
        reject: (e) => (clearTimeout(timer), reject(e)),
      };
      this.#socket.write(`${command}\n`);
      this.#deliver();
    });
  }

  close(): void {
    this.#fail(new LpcvError('LPCV_E_POWER_READ', `the connection to the meter at ${this.#where} was closed`));
  }

  #deliver(): void {
    const w = this.#waiter;
    if (!w || this.#lines.length === 0) return;
    this.#waiter = undefined;
    w.resolve(this.#lines.shift()!);
  }

  #fail(e: LpcvError): void {
    if (this.#error) return;
    this.#error = e;
    this.#socket.destroy();
    const w = this.#waiter;
    this.#waiter = undefined;
    w?.reject(e);
  }
}

export interface ScpiMeterOptions {
  readonly host: string;
  readonly port: number;
  /** Input element whose active power is read (1 on a WT310; 1-3 or SIGMA on a WT332E/WT333E). */
  readonly element?: number | 'SIGMA';
  readonly periodMs?: number;
  /** Per query and for connecting (default 2000 ms). */
  readonly timeoutMs?: number;
  readonly now?: Clock;
  readonly timer?: Timer;
  readonly onSample?: (s: PowerSample) => void;
}

export class ScpiMeterSampler implements PowerSampler {
  source: string;
  /** The meter's *IDN? answer. */
  identity: string;
  readonly #o: ScpiMeterOptions;
  #conn: ScpiConnection;
  readonly #poller: Poller<number>;

  constructor(conn: ScpiConnection, identity: string, o: ScpiMeterOptions) {
    this.#o = o;
    this.#conn = conn;
    this.identity = identity;
    this.source = sourceOf(identity, o);
    this.#poller = new Poller<number>({
      periodMs: o.periodMs ?? SCPI_DEFAULT_PERIOD_MS,
      read: async () => checkWatts(parseScpiNumber(await this.#conn.query(':NUMeric:NORMal:VALue? 1')), this.source),
      now: o.now,
      timer: o.timer,
      onReading: o.onSample ? (r) => o.onSample!({ t: r.t, watts: r.value }) : undefined,
    });
  }

  async start(): Promise<void> {
    if (this.#conn.broken && !this.#poller.running) {
      const { conn, identity } = await connectAndConfigure(this.#o);
      this.#conn = conn;
      this.identity = identity;
    }
    await this.#poller.start();
  }

  async stop(): Promise<PowerTrace> {
    const w = await this.#poller.stop();
    return { source: this.source, samples: w.readings.map((r) => ({ t: r.t, watts: r.value })), startMs: w.startMs, endMs: w.endMs };
  }

  /** Closes the connection (a later start() reconnects). */
  async close(): Promise<void> {
    this.#conn.close();
  }
}

function sourceOf(identity: string, o: ScpiMeterOptions): string {
  const model = identity.split(',')[1]?.trim() || 'meter';
  return `scpi:${model}@${o.host}:${o.port}`;
}

async function connectAndConfigure(o: ScpiMeterOptions): Promise<{ conn: ScpiConnection; identity: string }> {
  const timeoutMs = o.timeoutMs ?? 2000;
  const conn = await ScpiConnection.connect(o.host, o.port, timeoutMs);
  try {
    const identity = (await conn.query('*IDN?')).trim();
    conn.write(':COMMunicate:HEADer OFF');
    conn.write(':NUMeric:FORMat ASCii');
    conn.write(':NUMeric:NORMal:NUMber 1');
    conn.write(`:NUMeric:NORMal:ITEM1 P,${o.element ?? 1}`);
    // One reading proves the meter measures; NAN here (no input yet) or INF is refused at open.
    parseScpiNumber(await conn.query(':NUMeric:NORMal:VALue? 1'));
    return { conn, identity };
  } catch (e) {
    conn.close();
    if (e instanceof LpcvError && e.code !== 'LPCV_E_POWER_VALUE') throw new LpcvError('LPCV_E_POWER_NO_SENSOR', e.message);
    throw e;
  }
}

/** Connects, configures and probes the meter (LPCV_E_POWER_NO_SENSOR when nothing answers). */
export async function openScpiMeterSampler(o: ScpiMeterOptions): Promise<ScpiMeterSampler> {
  const { conn, identity } = await connectAndConfigure(o);
  return new ScpiMeterSampler(conn, identity, o);
}
