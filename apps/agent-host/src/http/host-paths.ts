/** An absolute path in a text (it ends at whitespace, quotes, a colon or punctuation around it). */
const ABSOLUTE_PATH = /(?<![\w.~\-/])\/[^\s"'`:;,()<>]+/g;
/** Where an engine keeps containers on the host: its data root, its state dirs, an overlay's layers. */
const HOST_ROOT =
  /^\/(?:var\/)?(?:lib|run)\/(?:docker|containerd|runc|runsc|gvisor|moby)\/|\/overlay(?:2|fs)?\//;
/** Where a container's own root starts inside a host path (the overlay's merged or upper dir, a bundle's rootfs). */
const SANDBOX_ROOT = /\/(?:merged|diff|rootfs|fs)(?=\/|$)/;

/**
 * Hides the host's paths in an engine's error text (`/var/lib/docker/overlay2/<id>/merged/etc/x` and the like):
 * a path inside a container's root becomes the sandbox's own path (`/etc/x`), any other engine path
 * `<host path>`. A caller learns where in its sandbox something failed, never the host's layout.
 */
export function hideHostPaths(text: string): string {
  return text.replace(ABSOLUTE_PATH, (path) => {
    if (!HOST_ROOT.test(path)) return path;
    const root = SANDBOX_ROOT.exec(path);
    return root ? path.slice(root.index + root[0].length) || '/' : '<host path>';
  });
}
