/**
 * Architecture definitions as data (after mergekit's {@code _data/architectures}): which tensors a model family has,
 * per module, before, in and after its layers, with aliases, optional and tied weights and expert templates; the
 * registry by config.json class name, fed by YAML files listed in every jar's {@code META-INF/chimera/architectures}.
 */
package dev.chimera.merge.arch;
