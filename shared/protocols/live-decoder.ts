// One connection's frames decoded as they arrive (a capture's live frame lines), by the rule the
// recorded session is read with (connectionProtocol): the chosen protocol, else what the handshake
// and the first frames say. A frame is decoded with what the frames before it said.
import type { ProtocolMessage } from '../contract/messages.js';
import { decodeContext, decodeFrame, type DecodeContext } from './decode.js';
import { connectionProtocol, DETECT_FRAMES } from './detect.js';
import type { ProtocolChoice } from './names.js';
import type { WireFrame } from './wire.js';

/** Decodes the frames of one live connection, each seen once and in order through `message`. */
export class LiveDecoder {
  private readonly opening: WireFrame[] = [];
  private context: DecodeContext | null;

  constructor(
    private readonly choice: ProtocolChoice | null,
    private readonly handshake: { subprotocol: string | null; url: string },
  ) {
    this.context = this.contextNow();
  }

  private contextNow(): DecodeContext | null {
    const protocol = connectionProtocol(this.choice, this.handshake, this.opening);
    return protocol ? decodeContext(protocol, this.opening) : null;
  }

  /** Takes in the connection's next frame (only the first DETECT_FRAMES are kept). */
  observe(f: WireFrame): void {
    if (this.opening.length >= DETECT_FRAMES) return;
    this.opening.push(f);
    this.context = this.contextNow();
  }

  /** The message of a frame already observed, in what the connection has said so far. */
  message(f: WireFrame): ProtocolMessage | null {
    return decodeFrame(f, this.context);
  }
}
