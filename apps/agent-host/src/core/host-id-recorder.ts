import type { ProvisionRecorder, ProvisionResult } from '@sbx/timing';

/** A recorder that stamps `attributes.hostId` on every result before handing it on: the host that measured it. */
export function hostIdRecorder(recorder: ProvisionRecorder, hostId: string): ProvisionRecorder {
  return {
    record: (result: ProvisionResult) =>
      recorder.record({ ...result, attributes: { ...result.attributes, hostId } }),
  };
}
