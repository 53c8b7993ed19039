package io.tlspsk.handler;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.tlspsk.codec.alert.AlertDescription;
import io.tlspsk.codec.alert.TlsAlertException;
import io.tlspsk.codec.record.RecordProtection;
import io.tlspsk.codec.record.TlsRecord;
import java.util.List;

/**
 * TLS 1.2 has no binder, so a server holding several candidate keys for one identity (a device's main and backup
 * key) learns which one the client used only from the client's first protected record, its Finished. This read
 * protection opens that record with each candidate's keys in turn and from then on uses the one that worked.
 * When none does, the record is answered with bad_record_mac, exactly as a single wrong key would be.
 */
final class CandidateReadProtection implements RecordProtection {

    private final List<RecordProtection> candidates;
    private int chosen = -1;

    CandidateReadProtection(List<RecordProtection> candidates) {
        this.candidates = candidates;
    }

    /** The index of the candidate whose keys opened the first record, or -1 before that. */
    int chosenIndex() {
        return chosen;
    }

    @Override
    public TlsRecord open(ByteBufAllocator alloc, TlsRecord record) throws TlsAlertException {
        if (chosen >= 0) {
            return candidates.get(chosen).open(alloc, record);
        }
        for (int i = 0; i < candidates.size(); i++) {
            try {
                TlsRecord plain = candidates.get(i).open(alloc, record);
                chosen = i;
                return plain;
            } catch (TlsAlertException e) {
                if (e.description() != AlertDescription.BAD_RECORD_MAC) {
                    throw e;
                }
            }
        }
        throw new TlsAlertException(AlertDescription.BAD_RECORD_MAC, "record does not authenticate");
    }

    @Override
    public ByteBuf seal(ByteBufAllocator alloc, int contentType, ByteBuf content) {
        throw new UnsupportedOperationException("read-only protection");
    }

    @Override
    public boolean needsKeyUpdate() {
        return false;
    }

    @Override
    public void destroy() {
        for (RecordProtection p : candidates) {
            p.destroy();
        }
    }
}
