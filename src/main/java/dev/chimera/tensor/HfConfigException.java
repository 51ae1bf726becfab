package dev.chimera.tensor;

import dev.chimera.ChimeraException;

/**
 * A model's {@code config.json} is missing, not valid JSON, or lacks a key with the expected type.
 * The message names the file and, where relevant, the key. Unchecked, like {@link
 * SafetensorsException}.
 */
public class HfConfigException extends ChimeraException {
    private static final long serialVersionUID = 1L;

    public HfConfigException(String message) {
        super(message);
    }

    public HfConfigException(String message, Throwable cause) {
        super(message, cause);
    }
}
