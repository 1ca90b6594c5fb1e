import { spawn } from 'node:child_process';

/** The summary Kafka's ProducerPerformance prints as its last line, parsed. */
export interface ProducerPerformanceSummary {
  readonly records: number;
  readonly recordsPerSecond: number;
  readonly megabytesPerSecond: number;
  readonly avgLatencyMs: number;
  readonly maxLatencyMs: number;
  readonly p50Ms: number;
  readonly p95Ms: number;
  readonly p99Ms: number;
  readonly p999Ms: number;
  /** The line as printed, for the report. */
  readonly line: string;
}

// "20000 records sent, 9930.48 records/sec (9.70 MB/sec), 1420.63 ms avg latency, 1795.00 ms max latency,
//  1494 ms 50th, 1760 ms 95th, 1785 ms 99th, 1794 ms 99.9th." — the progress lines printed every 5 s lack
// the percentiles, which is how the final summary is told apart from them.
const SUMMARY =
  /^(\d+) records sent, ([\d.]+) records\/sec \(([\d.]+) MB\/sec\), ([\d.]+) ms avg latency, ([\d.]+) ms max latency, (\d+) ms 50th, (\d+) ms 95th, (\d+) ms 99th, (\d+) ms 99\.9th\.?$/;

/** The final summary line of ProducerPerformance's output, or undefined when there is none. */
export function parseProducerPerformance(output: string): ProducerPerformanceSummary | undefined {
  const lines = output.split(/\r?\n/).map((l) => l.trim());
  for (let i = lines.length - 1; i >= 0; i--) {
    const m = SUMMARY.exec(lines[i]!);
    if (!m) continue;
    const n = (group: number) => Number(m[group]);
    return {
      records: n(1),
      recordsPerSecond: n(2),
      megabytesPerSecond: n(3),
      avgLatencyMs: n(4),
      maxLatencyMs: n(5),
      p50Ms: n(6),
      p95Ms: n(7),
      p99Ms: n(8),
      p999Ms: n(9),
      line: lines[i]!,
    };
  }
  return undefined;
}

/** Kafka's producer benchmark; in kafka-tools since 3.5. */
export const PRODUCER_PERFORMANCE_CLASS = 'org.apache.kafka.tools.ProducerPerformance';

export interface ProducerPerformanceOptions {
  readonly brokers: readonly string[];
  readonly topic: string;
  readonly records: number;
  readonly recordSize: number;
  /** More `name=value` producer properties; later ones win, so these override the defaults. */
  readonly extraProps?: readonly string[];
}

/**
 * ProducerPerformance's arguments for the platform's delivery guarantees (acks=all, idempotence) and
 * otherwise Java's defaults: the ceiling for what any client gets out of this broker on this machine.
 */
export function producerPerformanceArgs(options: ProducerPerformanceOptions): string[] {
  return [
    '--topic',
    options.topic,
    '--num-records',
    String(options.records),
    '--record-size',
    String(options.recordSize),
    '--throughput',
    '-1',
    '--producer-props',
    `bootstrap.servers=${options.brokers.join(',')}`,
    'acks=all',
    'enable.idempotence=true',
    'client.id=tributary-bench-producer-performance',
    ...(options.extraProps ?? []),
  ];
}

/**
 * Runs the JVM command line (from the testkit's `kafkaToolCommand`) and parses its summary. Throws with the
 * tail of the output when the tool fails or prints no summary.
 */
export async function runProducerPerformance(
  jvm: { readonly command: string; readonly args: readonly string[] },
  timeoutMs: number,
): Promise<ProducerPerformanceSummary> {
  const { code, stdout, stderr } = await run(jvm.command, jvm.args, timeoutMs);
  const summary = parseProducerPerformance(stdout);
  if (code === 0 && summary) return summary;
  const tail = `${stdout}\n${stderr}`
    .split('\n')
    .filter((line) => line.trim() && !line.startsWith('log4j:WARN'))
    .slice(-8)
    .join('\n  ');
  throw new Error(
    `ProducerPerformance ${code === 0 ? 'printed no summary' : `exited with ${code}`}:\n  ${tail}`,
  );
}

function run(
  command: string,
  args: readonly string[],
  timeoutMs: number,
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('error', (error) => {
      clearTimeout(timer);
      reject(new Error(`cannot run ${command}: ${error.message}`, { cause: error }));
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}
