package io.tlspsk.codec.tls12;

import io.tlspsk.codec.crypto.HashAlgorithm;
import java.security.DigestException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.NoSuchProviderException;

/**
 * {@link MacHash} over a JDK {@link MessageDigest}. The SUN provider is asked for by name: its SHA-2 (with SHA-NI
 * intrinsics where the CPU has them) compresses a block as soon as the block is complete and keeps no more than one
 * partial block, so the number of compressions is exactly the one FIPS 180-4 gives for the bytes fed, which is what
 * the Lucky Thirteen countermeasure relies on. Another provider is used only when SUN is absent.
 */
final class DigestMacHash implements MacHash {

    private final MessageDigest md;
    private final int blockLength;
    private final int minPaddingLength;

    DigestMacHash(HashAlgorithm hash) {
        switch (hash) {
            case SHA256:
                blockLength = 64;
                minPaddingLength = 1 + 8;
                break;
            case SHA384:
                blockLength = 128;
                minPaddingLength = 1 + 16;
                break;
            default:
                throw new IllegalArgumentException("no block length known for " + hash);
        }
        MessageDigest d;
        try {
            d = MessageDigest.getInstance(hash.digestName(), "SUN");
        } catch (NoSuchProviderException | NoSuchAlgorithmException e) {
            try {
                d = MessageDigest.getInstance(hash.digestName());
            } catch (NoSuchAlgorithmException e2) {
                throw new IllegalStateException(hash.digestName() + " is not available", e2);
            }
        }
        md = d;
    }

    @Override
    public int blockLength() {
        return blockLength;
    }

    @Override
    public int minPaddingLength() {
        return minPaddingLength;
    }

    @Override
    public int digestLength() {
        return md.getDigestLength();
    }

    @Override
    public void update(byte[] b, int off, int len) {
        md.update(b, off, len);
    }

    @Override
    public void digest(byte[] out, int off) {
        try {
            md.digest(out, off, md.getDigestLength());
        } catch (DigestException e) {
            throw new IllegalStateException(e); // callers pass room for one digest
        }
    }

    @Override
    public void reset() {
        md.reset();
    }
}
