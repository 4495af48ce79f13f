// How to make clients trust Frameline's local certificate authority (the relay's --tls and --proxy
// serve leaves it signed), one line each, as `frameline relay` prints it.
/** How to make clients trust the CA, one line each (printed by `frameline relay`). */
export function trustAdvice(caFile: string): string[] {
  return [
    `Frameline's certificate authority: ${caFile}`,
    `  Chromium/Chrome on Linux (NSS, package libnss3-tools): certutil -d sql:$HOME/.pki/nssdb -A -t C,, -n Frameline -i ${caFile}`,
    `  Firefox: Settings → Privacy & Security → Certificates → View Certificates → Authorities → Import ${caFile}`,
    `  curl: --cacert ${caFile}; Python: ssl.create_default_context(cafile="${caFile}"); Node: NODE_EXTRA_CA_CERTS=${caFile}`,
    `  Debian/Ubuntu system-wide: cp ${caFile} /usr/local/share/ca-certificates/frameline.crt && update-ca-certificates`,
  ];
}
