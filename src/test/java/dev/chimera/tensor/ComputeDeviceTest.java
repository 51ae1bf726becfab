package dev.chimera.tensor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import ai.djl.engine.Engine;
import dev.chimera.ChimeraException;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

class ComputeDeviceTest {
    @Test
    void namesParseToDevices() {
        assertEquals(Device.cpu(), ComputeDevice.parse("cpu"));
        assertEquals(Device.cpu(), ComputeDevice.parse(null));
        assertEquals(Device.gpu(0), ComputeDevice.parse(" CUDA "));
        assertEquals(Device.gpu(1), ComputeDevice.parse("cuda:1"));
        assertEquals(Device.gpu(2), ComputeDevice.parse("gpu:2"));
        assertEquals("cuda:1", ComputeDevice.name(ComputeDevice.parse("gpu:1")));
        assertEquals("cpu", ComputeDevice.name(ComputeDevice.parse("cpu")));
        for (String bad : new String[] {"tpu:0", "cuda:x", "cuda:", "cpu:2", "cuda:99999999999"}) {
            assertEquals(
                    "unknown device '" + bad + "' (use cpu or cuda:N)",
                    assertThrows(ChimeraException.class, () -> ComputeDevice.parse(bad))
                            .getMessage());
        }
    }

    @Test
    void aGpuThisMachineLacksIsRefused() {
        Assumptions.assumeTrue(Engine.getEngine("PyTorch").getGpuCount() == 0, "this machine has a GPU");
        assertEquals(Device.cpu(), ComputeDevice.available("cpu"));
        String msg = assertThrows(ChimeraException.class, () -> ComputeDevice.available("cuda:0"))
                .getMessage();
        assertTrue(msg.startsWith("device cuda:0 is not available: PyTorch sees 0 GPU(s)"), msg);
    }
}
