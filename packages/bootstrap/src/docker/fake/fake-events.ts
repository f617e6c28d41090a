// The fake engine's `GET /events`: container events written as JSON lines to every stream whose filters pass.
import type { PassThrough } from 'node:stream';
import type { DockerEventsOptions } from '../docker-api.js';
import type { FakeContainer } from './fake-container.js';

/** One line of `GET /events` as the engine writes it (container events only). */
export interface FakeEngineEvent {
  status: string;
  id: string;
  from: string;
  Type: 'container';
  Action: string;
  Actor: { ID: string; Attributes: Record<string, string> };
  scope: 'local';
  time: number;
  timeNano: number;
}

/** Whether `event` passes the `filters` of a `GET /events` call (type, event and label filters). */
export function matchesEventFilters(event: FakeEngineEvent, filters: unknown): boolean {
  if (filters === undefined) return true;
  const byKey = (typeof filters === 'string' ? JSON.parse(filters) : filters) as Record<string, string[]>;
  const { type, event: actions, label } = byKey;
  if (type && !type.includes(event.Type)) return false;
  if (actions && !actions.includes(event.Action)) return false;
  return (label ?? []).every((filter) => {
    const [key = '', value] = filter.split('=', 2);
    const actual = event.Actor.Attributes[key];
    return value === undefined ? actual !== undefined : actual === value;
  });
}

/** The events a fake engine emitted, and the streams they go to. */
export class FakeEvents {
  readonly emitted: FakeEngineEvent[] = [];
  readonly #streams: Array<{ stream: PassThrough; options: DockerEventsOptions }> = [];
  #next = 0;

  /** Emits one event of `container`, with its labels, name and image as attributes. */
  emit(container: FakeContainer, action: string, attributes: Record<string, string>): void {
    const nowMs = Date.now();
    const image = container.config.Image ?? '';
    const event: FakeEngineEvent = {
      status: action,
      id: container.id,
      from: image,
      Type: 'container',
      Action: action,
      Actor: {
        ID: container.id,
        Attributes: { ...container.config.Labels, image, name: container.name, ...attributes },
      },
      scope: 'local',
      time: Math.floor(nowMs / 1000),
      timeNano: nowMs * 1_000_000 + (this.#next++ % 1_000_000),
    };
    this.emitted.push(event);
    for (const { stream, options } of this.#streams) {
      if (isOpen(stream) && matchesEventFilters(event, options.filters))
        stream.write(`${JSON.stringify(event)}\n`);
    }
  }

  /** Sends future events to `stream`; with `since` (seconds), first the past ones from then on, as the engine does. */
  subscribe(stream: PassThrough, options: DockerEventsOptions): PassThrough {
    this.#streams.push({ stream, options });
    if (options.since !== undefined) {
      for (const event of this.emitted) {
        if (event.time >= options.since && matchesEventFilters(event, options.filters)) {
          stream.write(`${JSON.stringify(event)}\n`);
        }
      }
    }
    return stream;
  }

  /** Forgets every past event (an engine that restarted): a later `since` replays nothing from before. */
  forget(): void {
    this.emitted.length = 0;
  }

  /** Ends (or fails with `error`) every open stream. */
  drop(error?: Error): void {
    for (const { stream } of this.#streams) {
      if (!isOpen(stream)) continue;
      if (error) stream.destroy(error);
      else stream.end();
    }
  }
}

function isOpen(stream: PassThrough): boolean {
  return !stream.destroyed && !stream.writableEnded;
}
