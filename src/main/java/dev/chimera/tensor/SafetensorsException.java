package dev.chimera.tensor;

import dev.chimera.ChimeraException;

/**
 * A safetensors file, index or model folder is missing, malformed or cannot be read.
 *
 * <p>Unchecked on purpose: callers are mostly actors and lambdas that could only rethrow, and a
 * bad input file is not something they can recover from. The message always names the file and,
 * where one is involved, the tensor; I/O failures keep their {@link java.io.IOException} as cause.
 */
public class SafetensorsException extends ChimeraException {
    private static final long serialVersionUID = 1L;

    public SafetensorsException(String message) {
        super(message);
    }

    public SafetensorsException(String message, Throwable cause) {
        super(message, cause);
    }
}
