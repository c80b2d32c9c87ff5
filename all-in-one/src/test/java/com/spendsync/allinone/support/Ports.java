package com.spendsync.allinone.support;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;

/** Loopback ports for the processes a test starts itself. */
public final class Ports {

    private Ports() {
    }

    /** A port free a moment ago (another process may take it before the caller binds it). */
    public static int free() {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
