// Files the console hands to the engine or saves from it: base64 both ways (the contract carries
// text), and a download that saves a file where the browser (or the desktop app) asks.

/** Bytes as base64, in slices (String.fromCharCode cannot take a megabyte of arguments at once). */
export function toBase64(bytes: Uint8Array): string {
  let binary = '';
  for (let i = 0; i < bytes.length; i += 0x8000)
    binary += String.fromCharCode(...bytes.subarray(i, Math.min(bytes.length, i + 0x8000)));
  return btoa(binary);
}

/** base64 as bytes. */
export function fromBase64(text: string): Uint8Array<ArrayBuffer> {
  const binary = atob(text);
  const out = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) out[i] = binary.charCodeAt(i);
  return out;
}

/** Saves `parts` as a file named `name`: the browser's download, the desktop app's save dialog. */
export function saveFile(name: string, type: string, parts: BlobPart[]): void {
  const url = URL.createObjectURL(new Blob(parts, { type }));
  const a = document.createElement('a');
  a.href = url;
  a.download = name;
  a.rel = 'noopener';
  document.body.append(a);
  a.click();
  a.remove();
  // The download has taken the data by the next turn.
  setTimeout(() => URL.revokeObjectURL(url), 30_000);
}
