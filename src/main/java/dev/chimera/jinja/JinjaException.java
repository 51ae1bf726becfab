package dev.chimera.jinja;

/** A template that cannot be parsed or rendered; the message names the template line where known. */
public class JinjaException extends RuntimeException {
    public JinjaException(String message) {
        super(message);
    }

    public JinjaException(String message, Throwable cause) {
        super(message, cause);
    }
}
