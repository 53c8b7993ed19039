package io.tlspsk.handler.store;

import java.util.Objects;

/**
 * The label a {@link RotatingPskStore} gives each key of an identity: its role, main or backup, and its version, as
 * {@code main-3} or {@code backup-4} ({@link io.tlspsk.handler.ExternalPsk#label()}). Versions count per identity
 * from 1 ({@link RotatingPskStore#add}); every staged backup key takes the next one, so a version names one key for
 * the identity's whole life and a promotion can be made conditional on it (see {@link RotatingPskStore#promote}).
 */
public final class KeyLabel {

    /** A key's role under its identity. */
    public enum Role {
        /** The key the device uses now; tried first. */
        MAIN("main"),
        /** The other key: a new key staged for rotation, or after a promotion the previous main key. */
        BACKUP("backup");

        private final String text;

        Role(String text) {
            this.text = text;
        }

        /** {@code main} or {@code backup}. */
        public String text() {
            return text;
        }
    }

    /** The largest version: a label stays within {@link io.tlspsk.handler.ExternalPsk#MAX_LABEL_LENGTH}. */
    public static final int MAX_VERSION = Integer.MAX_VALUE;

    private final Role role;
    private final int version;

    private KeyLabel(Role role, int version) {
        this.role = role;
        this.version = version;
    }

    /** The label of a key with {@code role} and {@code version} (1 or more). */
    public static KeyLabel of(Role role, int version) {
        Objects.requireNonNull(role, "role");
        if (version < 1) {
            throw new IllegalArgumentException("key versions start at 1, not " + version);
        }
        return new KeyLabel(role, version);
    }

    /** The main key of {@code version}. */
    public static KeyLabel main(int version) {
        return of(Role.MAIN, version);
    }

    /** The backup key of {@code version}. */
    public static KeyLabel backup(int version) {
        return of(Role.BACKUP, version);
    }

    /**
     * Reads a label such as {@code backup-4}; {@code null} for anything else (an unlabelled key, a label of another
     * scheme).
     */
    public static KeyLabel parse(String label) {
        if (label == null) {
            return null;
        }
        for (Role r : Role.values()) {
            String prefix = r.text + "-";
            if (label.startsWith(prefix) && label.length() > prefix.length() && label.length() <= prefix.length() + 10) {
                String digits = label.substring(prefix.length());
                if (digits.charAt(0) == '0' || !digits.chars().allMatch(c -> c >= '0' && c <= '9')) {
                    return null;
                }
                long v = Long.parseLong(digits);
                return v <= MAX_VERSION ? new KeyLabel(r, (int) v) : null;
            }
        }
        return null;
    }

    public Role role() {
        return role;
    }

    public int version() {
        return version;
    }

    /** True for a backup key's label. */
    public boolean isBackup() {
        return role == Role.BACKUP;
    }

    /** The same version in the other role: what a promotion makes of it. */
    KeyLabel swapped() {
        return new KeyLabel(role == Role.MAIN ? Role.BACKUP : Role.MAIN, version);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof KeyLabel && ((KeyLabel) o).role == role && ((KeyLabel) o).version == version;
    }

    @Override
    public int hashCode() {
        return role.hashCode() * 31 + version;
    }

    /** {@code main-3}, {@code backup-4}. */
    @Override
    public String toString() {
        return role.text + "-" + version;
    }
}
