package jgrad.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

/** NVML struct decoding from bytes laid out as nvml.h says, without a GPU. */
class NvmlStructsTest {
    private static ByteBuffer buf(int size) {
        return ByteBuffer.allocate(size).order(ByteOrder.LITTLE_ENDIAN);
    }

    @Test
    void pciInfoBusIdIsTheV3Field() {
        ByteBuffer b = buf(NvmlStructs.PCI_INFO_SIZE);
        b.put(0, "0000:19:00.0".getBytes(StandardCharsets.US_ASCII)); // busIdLegacy: must not be the one read
        b.putInt(16, 0).putInt(20, 0x19).putInt(24, 0).putInt(28, 0x233010de).putInt(32, 0x16c110de);
        b.put(36, "00000000:19:00.0".getBytes(StandardCharsets.US_ASCII));
        assertEquals("00000000:19:00.0", NvmlStructs.pciBusId(b.array()));
        assertThrows(IllegalArgumentException.class, () -> NvmlStructs.pciBusId(new byte[40]));
    }

    @Test
    void memoryAndUtilisation() {
        ByteBuffer m = buf(24).putLong(0, 85_520_809_984L).putLong(8, 84_000_000_000L).putLong(16, 1_520_809_984L);
        NvmlStructs.MemoryInfo info = NvmlStructs.memory(m.array());
        assertEquals(85_520_809_984L, info.total());
        assertEquals(84_000_000_000L, info.free());
        assertEquals(1_520_809_984L, info.used());
        ByteBuffer u = buf(8).putInt(0, 97).putInt(4, 41);
        assertArrayEquals(new int[] {97, 41}, NvmlStructs.utilization(u.array()));
    }

    @Test
    void processesUseThe24ByteStrideAndNotAvailableMemory() {
        ByteBuffer b = buf(3 * NvmlStructs.PROCESS_INFO_SIZE);
        b.putInt(0, 4242).putLong(8, 1L << 30).putInt(16, 0xFFFFFFFF).putInt(20, 0xFFFFFFFF);
        b.putInt(24, 77).putLong(32, NvmlStructs.VALUE_NOT_AVAILABLE);
        b.putInt(48, 0xFFFFFFF0).putLong(56, 5); // a pid above 2^31 stays positive
        List<NvmlStructs.ProcessInfo> p = NvmlStructs.processes(b.array(), 3);
        assertEquals(3, p.size());
        assertEquals(4242, p.get(0).pid());
        assertEquals(1L << 30, p.get(0).usedBytes());
        assertEquals(77, p.get(1).pid());
        assertNull(p.get(1).usedBytes());
        assertEquals(0xFFFFFFF0L, p.get(2).pid());
        assertEquals(List.of(), NvmlStructs.processes(b.array(), 0));
        assertThrows(IllegalArgumentException.class, () -> NvmlStructs.processes(b.array(), 4));
    }

    @Test
    void enumsAndVersions() {
        assertEquals("P0", NvmlStructs.perfState(0));
        assertEquals("P15", NvmlStructs.perfState(15));
        assertEquals("Unknown", NvmlStructs.perfState(32));
        assertEquals("Default", NvmlStructs.computeMode(0));
        assertEquals("E. Process", NvmlStructs.computeMode(3));
        assertEquals("Prohibited", NvmlStructs.computeMode(2));
        assertEquals("12.4", NvmlStructs.cudaVersion(12040));
        assertEquals("12.6", NvmlStructs.cudaVersion(12060));
        assertEquals("11.8", NvmlStructs.cudaVersion(11080));
        assertEquals("NVIDIA H100", NvmlStructs.cString("NVIDIA H100\0garbage".getBytes(StandardCharsets.UTF_8)));
        assertEquals("abc", NvmlStructs.cString("abc".getBytes(StandardCharsets.UTF_8)));
    }
}
