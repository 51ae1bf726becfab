package dev.chimera.jinja;

import java.util.List;
import java.util.Map;

/** A function a template can call: positional and keyword arguments, Python style. */
@FunctionalInterface
public interface PyCallable {
    Object call(List<Object> args, Map<String, Object> kwargs);
}
