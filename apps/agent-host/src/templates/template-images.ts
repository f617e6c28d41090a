import { TEMPLATE_REPOSITORY } from './template-schema.js';

/** The subset of dockerode the template listing uses. */
export interface TemplateEngine {
  listImages(options: { filters: string }): Promise<
    Array<{
      RepoTags?: string[] | null;
      Size: number;
      Created: number;
      Labels?: Record<string, string> | null;
    }>
  >;
  getImage(name: string): {
    inspect(): Promise<{ Size: number; Config?: { Labels?: Record<string, string> | null } }>;
  };
}

/** A template image on the engine: `sbx-template/NAME:latest` and the hash it points at. */
export interface TemplateImage {
  name: string;
  hash: string | undefined;
  image: string;
  sizeBytes: number;
  createdAt: string;
  /** The readiness probe the template declares (its image label). */
  ready: string | undefined;
  /** Its user's home and uid (image labels): a read-only sandbox gets a tmpfs home it owns. */
  home: { path: string; uid: number } | undefined;
}

/** Every built template (`sbx-template/*:latest`), by name. */
export async function listTemplateImages(engine: TemplateEngine): Promise<TemplateImage[]> {
  const images = await engine.listImages({
    filters: JSON.stringify({ reference: [`${TEMPLATE_REPOSITORY}/*:latest`] }),
  });
  return images
    .flatMap((image) =>
      (image.RepoTags ?? [])
        .filter((tag) => tag.startsWith(`${TEMPLATE_REPOSITORY}/`) && tag.endsWith(':latest'))
        .map((tag) => ({
          name: tag.slice(TEMPLATE_REPOSITORY.length + 1, -':latest'.length),
          hash: image.Labels?.['sbx.template.hash'],
          image: tag,
          sizeBytes: image.Size,
          createdAt: new Date(image.Created * 1000).toISOString(),
          ready: image.Labels?.['sbx.template.ready'],
          home: homeOf(image.Labels ?? {}),
        })),
    )
    .sort((a, b) => (a.name < b.name ? -1 : 1));
}

/** The size of a local image, or undefined when the engine has none by that name (any other error throws). */
export async function imageSize(engine: TemplateEngine, image: string): Promise<number | undefined> {
  try {
    return (await engine.getImage(image).inspect()).Size;
  } catch (error) {
    if ((error as { statusCode?: number }).statusCode === 404) return undefined;
    throw error;
  }
}

function homeOf(labels: Record<string, string>): TemplateImage['home'] {
  const path = labels['sbx.template.home'];
  const uid = Number(labels['sbx.template.uid']);
  return path && Number.isInteger(uid) && uid > 0 ? { path, uid } : undefined;
}
