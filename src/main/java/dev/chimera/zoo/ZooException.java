package dev.chimera.zoo;

import dev.chimera.ChimeraException;

/** A bad zoo input (seed, size, folder) or a failed zoo build; the message names the value. */
public final class ZooException extends ChimeraException {
    public ZooException(String message) {
        super(message);
    }

    public ZooException(String message, Throwable cause) {
        super(message, cause);
    }
}
