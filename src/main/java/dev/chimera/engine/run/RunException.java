package dev.chimera.engine.run;

import dev.chimera.ChimeraException;

/** A run that cannot start or continue: bad run file, unreadable journal, inconsistent run folder. */
public class RunException extends ChimeraException {
    public RunException(String message) {
        super(message);
    }

    public RunException(String message, Throwable cause) {
        super(message, cause);
    }
}
