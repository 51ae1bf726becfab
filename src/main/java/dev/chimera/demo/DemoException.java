package dev.chimera.demo;

import dev.chimera.ChimeraException;

/** A demo that cannot start or finish; the message names the option, file or value at fault. */
public final class DemoException extends ChimeraException {
    public DemoException(String message) {
        super(message);
    }

    public DemoException(String message, Throwable cause) {
        super(message, cause);
    }
}
