import { sampleEvent } from '@tributary/connector-sdk/testing';
import type { ConnectorProcessHarness } from '@tributary/connector-sdk/testing';
import { waitFor } from '@tributary/testkit';
import type { EventOf } from '@tributary/contracts';
import { v7 as uuidv7 } from 'uuid';
import { SIM_API_KEY, logisticsHarness, outboxEvents } from './support.js';

interface SimShipment {
  id: string;
  reference: string;
  selected_rate: { carrier: string; service: string } | null;
  tracking_code: string | null;
  tracker: { public_url: string; est_delivery_date: string } | null;
}

// What the conformance suite does not look at: what the connector books at EasyPost and publishes.
describe('connector-logistics against the simulated EasyPost', () => {
  let harness: ConnectorProcessHarness;
  beforeAll(async () => {
    harness = await logisticsHarness();
  }, 180_000);
  afterAll(async () => {
    await harness?.close();
  }, 60_000);

  const shipmentInSim = async (reference: string) => {
    const response = await fetch(`${harness.simUrl}/v2/shipments/${reference}`, {
      headers: { authorization: `Basic ${Buffer.from(`${SIM_API_KEY}:`).toString('base64')}` },
    });
    return response.ok ? ((await response.json()) as SimShipment) : undefined;
  };

  it('buys the cheapest rate of the requested service level and publishes ShipmentCreated with the refs tracking needs', async () => {
    const request = sampleEvent('logistics.shipment.requested', {
      data: { weightGrams: 1200, serviceLevel: 'priority' },
    });
    const { shipmentId, orderId } = request.data;
    await harness.publish(request);
    await waitFor(() => harness.processed(request.id), { timeoutMs: 60_000, message: 'shipment handled' });

    const shipment = await shipmentInSim(shipmentId);
    expect(shipment).toMatchObject({ reference: shipmentId, selected_rate: { service: 'Priority' } });
    expect(
      await harness.query(
        `SELECT external_type, external_id, internal_id FROM "${harness.schema}".external_refs`,
      ),
    ).toEqual(
      expect.arrayContaining([
        { external_type: 'shipment', external_id: shipment!.id, internal_id: shipmentId },
        { external_type: 'shipment_order', external_id: shipment!.id, internal_id: orderId },
      ]),
    );

    const [created, ...more] = await outboxEvents(harness, request.id);
    expect(more).toEqual([]);
    expect(created).toMatchObject({
      type: 'logistics.shipment.created',
      subject: shipmentId,
      data: {
        shipmentId,
        orderId,
        carrier: shipment!.selected_rate!.carrier,
        carrierShipmentId: shipment!.id,
        trackingNumber: shipment!.tracking_code,
        trackingUrl: shipment!.tracker!.public_url,
        estimatedDeliveryAt: Date.parse(shipment!.tracker!.est_delivery_date),
      },
    });
  }, 120_000);

  it('sends a request without weight to the DLQ without calling EasyPost', async () => {
    const request = sampleEvent('logistics.shipment.requested', { data: { weightGrams: null } });
    await harness.publish(request);
    await waitFor(() => harness.inDlq(request.subject), { timeoutMs: 60_000, message: 'request in the DLQ' });
    expect(await shipmentInSim(request.data.shipmentId)).toBeUndefined();
    expect(await harness.outcomes(request.id)).toBe(0);
  }, 120_000);
  it('answers a reconciliation read with the shipment as EasyPost holds it and the order id recorded with it', async () => {
    const request = sampleEvent('logistics.shipment.requested', { data: { weightGrams: 900 } });
    const { shipmentId, orderId } = request.data;
    await harness.publish(request);
    await waitFor(() => harness.processed(request.id), { timeoutMs: 60_000, message: 'shipment handled' });
    const shipment = (await shipmentInSim(shipmentId))!;

    const runId = uuidv7();
    const read = sampleEvent('reconciliation.read.requested', {
      subject: runId,
      data: {
        runId,
        provider: 'easypost',
        entity: 'shipment',
        mode: 'IDS',
        ids: [shipmentId],
        cursor: null,
        pageSize: 10,
      },
    });
    const answers = await harness.topicEvents('reconciliation.read.v1');
    await harness.publish(read, read);
    const answer = (await waitFor(
      () => answers.find((e) => e.type === 'reconciliation.read.completed' && e.causationId === read.id),
      { timeoutMs: 60_000, message: 'the read answered' },
    )) as EventOf<'reconciliation.read.completed'>;
    expect(answer.data).toMatchObject({
      runId,
      complete: true,
      failureCode: null,
      records: [
        {
          externalId: shipment.id,
          internalId: shipmentId,
          deleted: false,
          fields: {
            status: 'created',
            carrier: shipment.selected_rate!.carrier,
            trackingNumber: shipment.tracking_code,
            orderId,
          },
        },
      ],
    });
    // The copy behind it on the run's partition is a redelivery: answered by the inbox with nothing.
    const next = sampleEvent('reconciliation.read.requested', {
      subject: runId,
      data: { ...read.data, pageNo: read.data.pageNo + 1, ids: [] },
    });
    await harness.publish(next);
    await waitFor(() => answers.some((e) => e.causationId === next.id), {
      timeoutMs: 60_000,
      message: 'next page',
    });
    expect(answers.filter((e) => e.causationId === read.id)).toHaveLength(1);
  }, 120_000);
});
