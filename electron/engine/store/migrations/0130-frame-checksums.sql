-- Stored bytes are checked: a frame whose payload lies in a segment keeps the CRC-32 of that payload
-- as it was committed (computed on the writer thread, never on the capture's receiving path), and
-- every read compares the bytes against it, so that a payload changed on disk or cut short is
-- reported as damaged, never served as if intact. NULL: unchecked — frames committed before this
-- version (which no read may call damaged for want of a sum) and payloads stored inline.

ALTER TABLE frame ADD COLUMN payload_crc INTEGER; -- CRC-32 (ISO-HDLC) of the payload_length stored bytes
