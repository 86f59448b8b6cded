import SwiftletCSystem
import Glibc
import Logging

/// Loads a device filter for a cgroup2 directory through the C shim.
enum CgroupDeviceBPF {
    static func attach(_ rules: [DeviceRule], directory: String, files: CgroupFiles, logger: Logger) throws {
        let program: [EBPFInstruction]
        do {
            program = try DeviceFilterProgram.generate(rules)
        } catch var error as CgroupError {
            error.cgroup = files.cgroup
            throw error
        }
        let encoded = program.map(\.encoded)
        var log = [CChar](repeating: 0, count: 64 * 1024)
        let progFD = encoded.withUnsafeBufferPointer { insns in
            DeviceFilterProgram.license.withCString { license in
                swl_cgroup_device_prog_load(insns.baseAddress, UInt32(insns.count), license, &log, UInt32(log.count))
            }
        }
        guard progFD >= 0 else {
            let verifier = String(decoding: log.prefix(while: { $0 != 0 }).map { UInt8(bitPattern: $0) }, as: UTF8.self)
            if !verifier.isEmpty {
                logger.error("device filter rejected by verifier", metadata: ["cgroup": "\(files.cgroup)", "log": "\(verifier)"])
            }
            throw files.fail("load device filter (\(program.count) instructions)", -progFD)
        }
        defer { close(progFD) }
        let dirFD = open(directory, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard dirFD >= 0 else { throw files.fail("open \(directory)") }
        defer { close(dirFD) }
        let rc = swl_cgroup_device_prog_attach(dirFD, progFD)
        guard rc == 0 else { throw files.fail("attach device filter to \(directory)", -rc) }
        logger.debug("device filter attached", metadata: ["cgroup": "\(files.cgroup)", "rules": "\(rules.count)", "instructions": "\(program.count)"])
    }

    /// Number of device programs attached directly to `directory`.
    static func attachedCount(directory: String, files: CgroupFiles) throws -> Int {
        let dirFD = open(directory, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard dirFD >= 0 else { throw files.fail("open \(directory)") }
        defer { close(dirFD) }
        var ids = [UInt32](repeating: 0, count: 64)
        let n = swl_cgroup_device_prog_query(dirFD, &ids, UInt32(ids.count))
        guard n >= 0 else { throw files.fail("query device filters of \(directory)", -n) }
        return Int(n)
    }
}
