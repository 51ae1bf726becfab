package dev.chimera.engine;

import dev.chimera.ChimeraException;
import dev.chimera.tensor.ComputeDevice;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Device lists of a node: {@code cpu} (one slot), {@code cpu:N} (N CPU slots), {@code cuda:N} / {@code gpu:N} (one
 * slot per GPU). Each slot gets its own Merger/Evaluator pair. Devices this machine lacks are refused at start.
 */
public final class Devices {
    private Devices() {}

    /** Expands and checks a device list; errors name the entry. */
    public static List<String> parse(List<String> entries) {
        List<String> out = new ArrayList<>();
        for (String raw : entries) {
            for (String e : raw.split(",")) {
                String d = e.trim().toLowerCase(Locale.ROOT);
                if (d.isEmpty()) {
                    continue;
                }
                if (d.equals("cpu")) {
                    out.add("cpu");
                } else if (d.startsWith("cpu:")) {
                    int n;
                    try {
                        n = Integer.parseInt(d.substring(4));
                    } catch (NumberFormatException x) {
                        throw new ChimeraException("unknown device '" + e.trim() + "': cpu:N needs a slot count");
                    }
                    if (n < 1 || n > 256) {
                        throw new ChimeraException("unknown device '" + e.trim() + "': cpu slots must be 1..256");
                    }
                    for (int i = 0; i < n; i++) {
                        out.add("cpu");
                    }
                } else {
                    try {
                        out.add(ComputeDevice.name(ComputeDevice.available(d)));
                    } catch (ChimeraException x) {
                        throw new ChimeraException(x.getMessage() + "; a node's devices are cpu, cpu:N or cuda:N", x);
                    }
                }
            }
        }
        if (out.isEmpty()) {
            throw new ChimeraException("no devices given");
        }
        return out;
    }
}
