/**
 * The server's Prometheus metrics (prom-client). Counts that every instance sees alike
 * (deliveries by channel and status, dead letters kept) are read from the database at scrape
 * time; what only this process knows (ingest counters, ack latency, live-stream clients, the
 * event loop, the connection pool) comes from here. Labels are bounded: channels, statuses,
 * outcomes; never a patient, a person or a gateway id.
 */
import client from 'prom-client';
import type { Ingest } from '../ingest/ingest.ts';
import { lastBackupSuccess } from '../storage/repos/backup-runs.ts';
import { deadLetterCount } from '../storage/repos/dead-letters.ts';
import { deliveryCounts } from '../storage/repos/deliveries.ts';
import { fleetHealth } from '../storage/repos/gateways.ts';
import type { Sql } from '../storage/sql.ts';
import { compareVersions } from '../versions.ts';

export interface Metrics {
  registry: client.Registry;
  /** Seconds from a readings batch's arrival to its commit and ack. */
  ackLatency: client.Histogram;
  /** Seconds from a reading's arrival to the commit of the alert it opened. */
  alertOpenLatency: client.Histogram;
  /** Live-stream (SSE) clients connected to this instance. */
  streamClients: client.Gauge;
  /** Connects the collectors that read the services at scrape time. */
  attach(sources: { sql: Sql; ingest: Ingest; minGatewayVersion?: string; backupsScheduled?: boolean }): void;
}

export function createMetrics(): Metrics {
  const registry = new client.Registry();
  client.collectDefaultMetrics({ register: registry, prefix: 'vitals_', eventLoopMonitoringPrecision: 20 });
  const ackLatency = new client.Histogram({
    name: 'vitals_ingest_ack_latency_seconds',
    help: 'Seconds from the arrival of a readings batch to its commit and acknowledgement',
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
    registers: [registry],
  });
  const alertOpenLatency = new client.Histogram({
    name: 'vitals_alert_open_latency_seconds',
    help: "Seconds from the arrival of a reading at this instance to the commit of the alert it opened (the alert's paging is queued in that commit)",
    buckets: [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60],
    registers: [registry],
  });
  const streamClients = new client.Gauge({
    name: 'vitals_stream_clients',
    help: 'Live-stream (server-sent events) clients connected to this instance',
    registers: [registry],
  });
  const attach: Metrics['attach'] = ({ sql, ingest, minGatewayVersion, backupsScheduled }) => {
    // The fleet, read once per scrape for all its gauges (all instances see the same rows).
    let fleet: Promise<Awaited<ReturnType<typeof fleetHealth>>> | undefined;
    const fleetNow = () => {
      fleet ??= fleetHealth(sql).finally(() => {
        setImmediate(() => {
          fleet = undefined;
        });
      });
      return fleet;
    };
    const fleetGauge = (name: string, help: string, value: (f: Awaited<ReturnType<typeof fleetHealth>>) => number) =>
      new client.Gauge({
        name,
        help,
        registers: [registry],
        async collect() {
          this.set(value(await fleetNow()));
        },
      });
    new client.Gauge({
      name: 'vitals_gateways',
      help: 'Gateways not revoked, by liveness (online, offline, unknown = never heard from)',
      labelNames: ['state'],
      registers: [registry],
      async collect() {
        this.reset();
        for (const s of ['online', 'offline', 'unknown']) this.set({ state: s }, 0);
        for (const r of (await fleetNow()).byState) this.set({ state: r.state }, r.gateways);
      },
    });
    fleetGauge(
      'vitals_gateways_outdated',
      'Gateways older than VITALS_MIN_GATEWAY_VERSION (or that never reported a version); 0 when no minimum is set',
      (f) =>
        minGatewayVersion === undefined
          ? 0
          : f.versions
              .filter((v) => v.version === null || compareVersions(v.version, minGatewayVersion) < 0)
              .reduce((n, v) => n + v.gateways, 0),
    );
    fleetGauge(
      'vitals_gateways_with_outbox_backlog',
      'Gateways whose latest report shows readings waiting in their outbox',
      (f) => f.backlog.with_backlog,
    );
    fleetGauge(
      'vitals_gateway_outbox_readings_sum',
      "Readings waiting in the gateways' outboxes, by their latest reports, summed over the fleet",
      (f) => f.backlog.sum,
    );
    fleetGauge(
      'vitals_gateway_outbox_readings_max',
      'The largest outbox backlog any one gateway reported last',
      (f) => f.backlog.max,
    );
    fleetGauge(
      'vitals_gateway_clock_adjustments_24h',
      'Device clocks the gateways corrected in the last 24 hours',
      (f) => f.clockAdjustments24h,
    );
    fleetGauge('vitals_devices_battery_low', 'Devices whose battery is reported low', (f) => f.lowBatteries);
    new client.Counter({
      name: 'vitals_ingest_readings_total',
      help: 'Readings handled by this instance since it started, by outcome',
      labelNames: ['outcome'],
      registers: [registry],
      collect() {
        this.reset();
        this.inc({ outcome: 'accepted' }, ingest.stats.accepted);
        this.inc({ outcome: 'duplicate' }, ingest.stats.duplicates);
        this.inc({ outcome: 'rejected' }, ingest.stats.rejected);
      },
    });
    new client.Counter({
      name: 'vitals_ingest_batches_total',
      help: 'Readings batches acknowledged by this instance since it started',
      registers: [registry],
      collect() {
        this.reset();
        this.inc(ingest.stats.batches);
      },
    });
    new client.Counter({
      name: 'vitals_ingest_refused_total',
      help: 'Messages refused unacknowledged because the ingest buffer was full (the gateway re-sends them)',
      registers: [registry],
      collect() {
        this.reset();
        this.inc(ingest.stats.refused);
      },
    });
    new client.Counter({
      name: 'vitals_ingest_dead_letters_total',
      help: 'Dead letters written by this instance since it started',
      registers: [registry],
      collect() {
        this.reset();
        this.inc(ingest.stats.deadLetters);
      },
    });
    new client.Gauge({
      name: 'vitals_ingest_up',
      help: '1 when ingest can write to the database, 0 when it is waiting for it',
      registers: [registry],
      collect() {
        this.set(ingest.problem() ? 0 : 1);
      },
    });
    new client.Gauge({
      name: 'vitals_dead_letters',
      help: 'Dead letters kept in the database (all instances)',
      registers: [registry],
      async collect() {
        this.set(await deadLetterCount(sql));
      },
    });
    new client.Gauge({
      name: 'vitals_backup_scheduled',
      help: 'Whether this instance takes part in the daily backup (VITALS_BACKUP_DIR set)',
      registers: [registry],
      collect() {
        this.set(backupsScheduled ? 1 : 0);
      },
    });
    new client.Gauge({
      name: 'vitals_backup_last_success_timestamp_seconds',
      help: 'When the newest scheduled backup was written (any instance; 0 = never)',
      registers: [registry],
      async collect() {
        const at = await lastBackupSuccess(sql);
        this.set(at ? at.getTime() / 1000 : 0);
      },
    });
    new client.Gauge({
      name: 'vitals_notification_deliveries',
      help: 'Notification deliveries in the database by channel and status (all instances)',
      labelNames: ['channel', 'status'],
      registers: [registry],
      async collect() {
        this.reset();
        for (const r of await deliveryCounts(sql)) this.set({ channel: r.channel, status: r.status }, r.n);
      },
    });
    if (sql.poolStats) {
      const stats = sql.poolStats.bind(sql);
      new client.Gauge({
        name: 'vitals_db_pool_connections',
        help: 'Database pool connections of this instance by state',
        labelNames: ['state'],
        registers: [registry],
        collect() {
          const s = stats();
          this.set({ state: 'total' }, s.total);
          this.set({ state: 'idle' }, s.idle);
          this.set({ state: 'waiting' }, s.waiting);
        },
      });
    }
  };
  return { registry, ackLatency, alertOpenLatency, streamClients, attach };
}
