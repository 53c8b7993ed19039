package io.tlspsk.handler;

/** Fired as a user event when the peer's close_notify alert arrives, before the channel is closed. */
public final class PskCloseNotifyEvent {

    public static final PskCloseNotifyEvent INSTANCE = new PskCloseNotifyEvent();

    private PskCloseNotifyEvent() {
    }

    @Override
    public String toString() {
        return "PskCloseNotifyEvent";
    }
}
