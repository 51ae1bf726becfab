package dev.chimera.jinja;

/** The Jinja2 {@code Environment} settings that change how a template renders. */
record JinjaOptions(boolean trimBlocks, boolean lstripBlocks, boolean keepTrailingNewline, boolean strictUndefined) {}
