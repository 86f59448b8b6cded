import Testing
@testable import NodeAgent

@Suite("Cgroup conversions")
struct CgroupConversionTests {
    @Test(arguments: [
        (UInt64(2), UInt64(1)), (1024, 39), (512, 20), (262_144, 10_000), (1, 1), (1_000_000, 10_000),
    ])
    func sharesToWeight(shares: UInt64, weight: UInt64) {
        #expect(CgroupConversions.cpuWeight(fromShares: shares) == weight)
    }

    @Test func zeroSharesIsUnset() {
        #expect(CgroupConversions.cpuWeight(fromShares: 0) == nil)
    }

    @Test func swap() throws {
        let mib: Int64 = 1 << 20
        #expect(try CgroupConversions.swapMax(memorySwap: 128 * mib, memoryLimit: 64 * mib) == "\(64 * mib)")
        #expect(try CgroupConversions.swapMax(memorySwap: 64 * mib, memoryLimit: 64 * mib) == "0")
        #expect(try CgroupConversions.swapMax(memorySwap: -1, memoryLimit: 64 * mib) == "max")
        #expect(try CgroupConversions.swapMax(memorySwap: nil, memoryLimit: -1) == "max")
        #expect(try CgroupConversions.swapMax(memorySwap: nil, memoryLimit: 64 * mib) == nil)
        #expect(try CgroupConversions.swapMax(memorySwap: 0, memoryLimit: 64 * mib) == nil)
        #expect(throws: CgroupError.self) { try CgroupConversions.swapMax(memorySwap: 32 * mib, memoryLimit: 64 * mib) }
        #expect(throws: CgroupError.self) { try CgroupConversions.swapMax(memorySwap: 32 * mib, memoryLimit: nil) }
        #expect(throws: CgroupError.self) { try CgroupConversions.swapMax(memorySwap: 32 * mib, memoryLimit: -1) }
    }

    @Test func cpuMax() {
        #expect(CgroupConversions.cpuMax(quota: 50_000, period: 100_000) == "50000 100000")
        #expect(CgroupConversions.cpuMax(quota: -1, period: 100_000) == "max 100000")
        #expect(CgroupConversions.cpuMax(quota: 20_000, period: nil) == "20000")
        #expect(CgroupConversions.cpuMax(quota: nil, period: nil) == nil)
    }

    @Test func pids() {
        #expect(CgroupConversions.pidsMax(32) == "32")
        #expect(CgroupConversions.pidsMax(0) == "max")
        #expect(CgroupConversions.pidsMax(-1) == "max")
    }

    @Test func errorWording() {
        let error = CgroupError(cgroup: "/swiftlet/abc", step: "write memory.max", reason: .system(errno: 16))
        #expect(error.description == "cgroup /swiftlet/abc: write memory.max: Device or resource busy")
    }
}
