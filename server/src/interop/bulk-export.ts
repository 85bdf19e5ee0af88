/**
 * FHIR Bulk Data export (issue 17): the worker that runs kicked-off jobs and the NDJSON files
 * they produce.
 *
 * - Any instance claims a due job (FOR UPDATE SKIP LOCKED with a lease) and walks its patients
 *   a chunk at a time, recording its cursor and the files so far after each chunk: a job whose
 *   instance died is claimed again after the lease and goes on from its cursor (resumable), and
 *   the status endpoint reports progress as patients done of patients in the job.
 * - Files hold the readings received up to the job's transaction time (`until`), so a file is
 *   the same whenever and however often it is downloaded; it is streamed from the database a
 *   keyset page at a time (never the whole file in memory).
 */
import type { Logger } from 'pino';
import { md5 } from '../fhir/ids.ts';
import { compareGroups, groupReadings, toObservations } from '../fhir/observation.ts';
import { toDevice, toGatewayDevice, toPatient } from '../fhir/resources.ts';
import { deviceByHash, gatewayByHash, readingsPage } from '../storage/repos/fhir.ts';
import {
  advanceExport,
  claimExport,
  deviceIdsOfPatients,
  type ExportFile,
  type ExportRow,
  existingPatients,
  failExport,
  patientRecords,
} from '../storage/repos/fhir-exports.ts';
import type { Sql } from '../storage/sql.ts';

/** Patients per step of a job, and per file. */
export const PATIENTS_PER_CHUNK = 50;
const LEASE_MS = 60_000;
/** Readings read per query while streaming a file. */
const PAGE_ROWS = 2_000;

export const EXPORT_TYPES = ['Patient', 'Observation', 'Device'] as const;
export type ExportType = (typeof EXPORT_TYPES)[number];

/** Runs one step of the oldest due job; returns whether there was one. */
export async function runExportStep(sql: Sql, log: Logger): Promise<boolean> {
  const job = await claimExport(sql, LEASE_MS);
  if (!job) return false;
  try {
    let done = job.done_patients;
    const files = [...job.files];
    while (done < job.patient_ids.length) {
      const chunk = await existingPatients(sql, job.patient_ids.slice(done, done + PATIENTS_PER_CHUNK));
      for (const type of job.types as ExportType[]) if (chunk.length) files.push({ type, patients: chunk });
      done = Math.min(done + PATIENTS_PER_CHUNK, job.patient_ids.length);
      const complete = done >= job.patient_ids.length;
      if (!(await advanceExport(sql, job.id, done, files, LEASE_MS, complete))) return true; // cancelled meanwhile
    }
    if (job.patient_ids.length === 0) await advanceExport(sql, job.id, 0, files, LEASE_MS, true);
  } catch (e) {
    log.error({ err: e, exportId: job.id }, 'bulk export step failed');
    await failExport(sql, job.id, 'the export failed; the server log has the detail').catch(() => {});
  }
  return true;
}

/** Starts the worker: a step now and then, and whenever `kick()` is called. */
export function startExportWorker(sql: Sql, log: Logger, everyMs = 1_000): { kick(): void; stop(): Promise<void> } {
  let running: Promise<void> | null = null;
  let stopped = false;
  const run = () => {
    if (running || stopped) return;
    running = (async () => {
      try {
        while (!stopped && (await runExportStep(sql, log))) {}
      } catch (e) {
        log.error({ err: e }, 'bulk export worker failed; the next tick retries');
      } finally {
        running = null;
      }
    })();
  };
  const timer = setInterval(run, everyMs);
  timer.unref();
  return {
    kick: () => setImmediate(run),
    async stop() {
      stopped = true;
      clearInterval(timer);
      await running;
    },
  };
}

/** The NDJSON lines of one file of a job, read from the database page by page. */
export async function* fileLines(sql: Sql, job: ExportRow, file: ExportFile): AsyncGenerator<string> {
  const received = [{ op: '<=' as const, at: job.until }, ...(job.since ? [{ op: '>=' as const, at: job.since }] : [])];
  switch (file.type) {
    case 'Patient':
      for (const p of await patientRecords(sql, file.patients)) yield `${JSON.stringify(toPatient(p))}\n`;
      return;
    case 'Device': {
      const { devices, gateways } = await deviceIdsOfPatients(sql, file.patients);
      for (const g of gateways) {
        const row = await gatewayByHash(sql, md5(g));
        if (row) yield `${JSON.stringify(toGatewayDevice(row))}\n`;
      }
      for (const d of devices) {
        const row = await deviceByHash(sql, md5(d));
        if (row) yield `${JSON.stringify(toDevice(row))}\n`;
      }
      return;
    }
    case 'Observation':
      for (const patientId of file.patients) {
        let cursor: { time: Date; anchor: string } | undefined;
        for (;;) {
          const { rows, more } = await readingsPage(sql, { patientId, received }, cursor?.time, PAGE_ROWS);
          let groups = groupReadings(rows);
          if (cursor) {
            const c = cursor;
            groups = groups.filter((g) => compareGroups(g, c) > 0);
          }
          const last = groups.at(-1);
          for (const o of toObservations(groups.flatMap((g) => g.rows))) yield `${JSON.stringify(o)}\n`;
          if (!more || !last) break;
          cursor = { time: last.time, anchor: last.anchor };
        }
      }
      return;
    default:
      return file.type satisfies never;
  }
}
