import { SchemaRegistryAdmin } from '@tributary/contracts';
import { ensureTopics } from '@tributary/kafka';
import { createTestDatabase } from '@tributary/testkit';
import type { TestDatabase } from '@tributary/testkit';
import type { Kafka } from 'kafkajs';

/**
 * Everything a bench run creates on the shared stack — topics, consumer groups, registry subjects, a
 * database — remembered as it is created, so one `dispose()` (also on Ctrl-C) leaves the stack as it was.
 */
export class Scratch {
  readonly #kafka: Kafka;
  readonly #registry: SchemaRegistryAdmin;
  readonly #databaseAdminUrl: string;
  readonly #topics = new Set<string>();
  readonly #groups = new Set<string>();
  readonly #subjects = new Set<string>();
  readonly #databases: TestDatabase[] = [];
  #disposed: Promise<string[]> | undefined;

  constructor(options: { kafka: Kafka; registryUrl: string; databaseUrl: string }) {
    this.#kafka = options.kafka;
    this.#registry = new SchemaRegistryAdmin({ url: options.registryUrl });
    this.#databaseAdminUrl = options.databaseUrl;
  }

  async createTopics(topics: readonly string[], partitions: number): Promise<void> {
    for (const topic of topics) this.#topics.add(topic);
    await ensureTopics(
      this.#kafka,
      topics.map((topic) => ({ topic, numPartitions: partitions })),
    );
  }

  /** Topics someone else creates for the run (a consumer's retry tiers and DLQ). */
  trackTopics(topics: readonly string[]): void {
    for (const topic of topics) this.#topics.add(topic);
  }

  trackGroup(groupId: string): void {
    this.#groups.add(groupId);
  }

  trackSubject(subject: string): void {
    this.#subjects.add(subject);
  }

  /** A new, empty database on the stack's Postgres server. */
  async createDatabase(prefix: string): Promise<TestDatabase> {
    const database = await createTestDatabase({ prefix, adminUrl: this.#databaseAdminUrl });
    this.#databases.push(database);
    return database;
  }

  /** Removes everything; never throws. Resolves to what could not be removed, for the report. */
  dispose(): Promise<string[]> {
    this.#disposed ??= this.#dispose();
    return this.#disposed;
  }

  async #dispose(): Promise<string[]> {
    const problems: string[] = [];
    const attempt = async (what: string, work: () => Promise<unknown>) => {
      try {
        await work();
      } catch (error) {
        problems.push(`${what}: ${error instanceof Error ? error.message : String(error)}`);
      }
    };
    const admin = this.#kafka.admin();
    await attempt('kafka admin connect', () => admin.connect());
    // Groups first: a topic of a live group is deleted too, but its offsets would linger.
    if (this.#groups.size > 0) {
      await attempt(`delete groups ${[...this.#groups].join(', ')}`, () =>
        admin.deleteGroups([...this.#groups]),
      );
    }
    if (this.#topics.size > 0) {
      const existing = new Set(await admin.listTopics().catch(() => [...this.#topics]));
      const topics = [...this.#topics].filter((t) => existing.has(t));
      if (topics.length > 0) {
        await attempt(`delete topics ${topics.join(', ')}`, () =>
          admin.deleteTopics({ topics, timeout: 30_000 }),
        );
      }
    }
    await admin.disconnect().catch(() => undefined);
    for (const subject of this.#subjects) {
      await attempt(`delete subject ${subject}`, () =>
        this.#registry.deleteSubject(subject, { permanent: true }),
      );
    }
    for (const database of this.#databases) {
      await attempt(`drop database ${database.name}`, () => database.drop());
    }
    return problems;
  }
}
