package dev.chimera.tensor;

import ai.djl.Device;
import ai.djl.engine.Engine;
import dev.chimera.ChimeraException;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The one parser of device names: {@code cpu}, {@code cuda} (GPU 0), {@code cuda:N} or {@code gpu:N}, trimmed and in
 * any case. Merging, evaluation and the node's device lists all read names through here.
 */
public final class ComputeDevice {
    private static final Pattern GPU = Pattern.compile("(?:cuda|gpu)(?::(\\d+))?");

    private ComputeDevice() {}

    /** The DJL device a name stands for (null: the CPU); an error naming it otherwise. */
    public static Device parse(String name) {
        String n = name == null ? "cpu" : name.trim().toLowerCase(Locale.ROOT);
        if (n.equals("cpu")) {
            return Device.cpu();
        }
        Matcher m = GPU.matcher(n);
        if (m.matches()) {
            try {
                return Device.gpu(m.group(1) == null ? 0 : Integer.parseInt(m.group(1)));
            } catch (NumberFormatException e) {
                // a GPU number beyond int: not a device
            }
        }
        throw new ChimeraException("unknown device '" + name + "' (use cpu or cuda:N)");
    }

    /** {@link #parse}, refusing a GPU this machine does not have (the CPU build of libtorch sees none). */
    public static Device available(String name) {
        Device d = parse(name);
        if (d.isGpu()) {
            int count = Engine.getEngine("PyTorch").getGpuCount();
            if (d.getDeviceId() >= count) {
                throw new ChimeraException("device " + name.trim() + " is not available: PyTorch sees " + count
                        + " GPU(s); GPU nodes need the CUDA build of Chimera (README, 'GPU nodes')");
            }
        }
        return d;
    }

    /** The canonical name of a device: {@code cpu} or {@code cuda:N}. */
    public static String name(Device d) {
        return d.isGpu() ? "cuda:" + d.getDeviceId() : "cpu";
    }
}
