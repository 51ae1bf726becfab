package dev.chimera.cli;

import java.util.List;
import picocli.CommandLine.Option;

/** The in-process node a command starts when it runs without a cluster: its devices and control port. */
final class LocalNodeOptions {
    @Option(
            names = "--devices",
            paramLabel = "DEV",
            split = ",",
            description =
                    "devices of the in-process node: cpu, cpu:N or" + " cuda:N (default: the run file's run.devices)")
    List<String> devices;

    @Option(
            names = "--control-port",
            paramLabel = "PORT",
            description = "HTTP control port of the in-process node, 0 = any free,"
                    + " -1 = off (default: chimera.control.port, or any free one when taken)")
    Integer controlPort;
}
