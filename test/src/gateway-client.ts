/** A gateway speaking the contract directly over MQTT, for tests that need exact batches. */
import type { BatchAck, Reading, ReadingBatch } from '@vitals/contract';
import mqtt, { type MqttClient } from 'mqtt';

export class RawGateway {
  private constructor(
    readonly id: string,
    readonly client: MqttClient,
  ) {}

  static async connect(url: string, id: string, password: string): Promise<RawGateway> {
    const client = await mqtt.connectAsync(url, { clientId: id, username: id, password, reconnectPeriod: 0 });
    await client.subscribeAsync(`vitals/v1/gw/${id}/ack`, { qos: 1 });
    return new RawGateway(id, client);
  }

  /** Publishes one batch and resolves with the server's end-to-end ack. */
  send(batchId: string, readings: Reading[]): Promise<BatchAck> {
    const batch: ReadingBatch = { v: 1, gatewayId: this.id, batchId, sentAt: new Date().toISOString(), readings };
    const ack = new Promise<BatchAck>((resolve) => {
      const on = (topic: string, p: Buffer) => {
        const a = JSON.parse(p.toString()) as BatchAck;
        if (topic.endsWith('/ack') && a.batchId === batchId) {
          this.client.off('message', on);
          resolve(a);
        }
      };
      this.client.on('message', on);
    });
    void this.client.publishAsync(`vitals/v1/gw/${this.id}/readings`, JSON.stringify(batch), { qos: 1 });
    return ack;
  }

  close(): Promise<void> {
    return this.client.endAsync();
  }
}
