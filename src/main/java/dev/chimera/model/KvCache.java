package dev.chimera.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;

/** Keys (transposed, [1, kv, headDim, s]) and values ([1, kv, s, headDim]) per layer, in the cache's manager. */
final class KvCache {
    final NDManager manager;
    final NDArray[] keysT;
    final NDArray[] values;

    KvCache(NDManager manager, int layers) {
        this.manager = manager;
        this.keysT = new NDArray[layers];
        this.values = new NDArray[layers];
    }

    /** Appends this step's keys/values and returns the full ones. */
    NDArray[] append(int layer, NDArray kT, NDArray v) {
        if (keysT[layer] == null) {
            kT.attach(manager);
            v.attach(manager);
            keysT[layer] = kT;
            values[layer] = v;
        } else {
            NDArray fullK = keysT[layer].concat(kT, 3);
            NDArray fullV = values[layer].concat(v, 2);
            fullK.attach(manager);
            fullV.attach(manager);
            keysT[layer].close();
            values[layer].close();
            keysT[layer] = fullK;
            values[layer] = fullV;
        }
        return new NDArray[] {keysT[layer], values[layer]};
    }
}
