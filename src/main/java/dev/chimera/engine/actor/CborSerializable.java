package dev.chimera.engine.actor;

/**
 * Marker of messages that cross the network: bound to Jackson CBOR in reference.conf (Java serialization is
 * off). Messages without it (e.g. those carrying tensors between a Merger and its Evaluator) stay local.
 */
public interface CborSerializable {}
