import KubeAPI
import Testing
@testable import Scheduler

@Suite struct PodRequestsTests {
    @Test func containersAreSummed() {
        let r = PodRequests(PodSpec(containers: [container(cpu: "250m", memory: "64Mi"), container(cpu: "1", memory: "1Gi")]))
        #expect(r.cpuMilli == 1250)
        #expect(r.memory == 1088 * 1024 * 1024)
        #expect(r.nonZeroCPUMilli == 1250)
    }

    @Test func initContainersTakeTheMax() {
        var spec = PodSpec(containers: [container(cpu: "100m", memory: "100Mi")])
        spec.initContainers = [container("i1", cpu: "2", memory: "10Mi"), container("i2", cpu: "50m", memory: "1Gi")]
        let r = PodRequests(spec)
        #expect(r.cpuMilli == 2000)
        #expect(r.memory == 1024 * 1024 * 1024)
    }

    @Test func sidecarsAddToTheSumAndToLaterInitContainers() {
        var spec = PodSpec(containers: [container(cpu: "100m")])
        spec.initContainers = [container("side", cpu: "200m", restartPolicy: "Always"), container("i", cpu: "1")]
        let r = PodRequests(spec)
        // Running: 100m + 200m sidecar; the init container runs beside the sidecar: 1000m + 200m.
        #expect(r.cpuMilli == 1200)
    }

    @Test func overheadIsAdded() {
        var spec = PodSpec(containers: [container(cpu: "100m", memory: "10Mi")])
        spec.overhead = ["cpu": "50m", "memory": "5Mi"]
        let r = PodRequests(spec)
        #expect(r.cpuMilli == 150)
        #expect(r.memory == 15 * 1024 * 1024)
    }

    @Test func missingRequestsCountZeroForFitButDefaultsForScoring() {
        let r = PodRequests(PodSpec(containers: [container(), container(cpu: "300m")]))
        #expect(r.cpuMilli == 300)
        #expect(r.memory == 0)
        #expect(r.nonZeroCPUMilli == 400)
        #expect(r.nonZeroMemory == 2 * 200 * 1024 * 1024)
    }

    @Test func explicitZeroStaysZeroForScoring() {
        let r = PodRequests(PodSpec(containers: [container(cpu: "0", memory: "0")]))
        #expect(r.nonZeroCPUMilli == 0)
        #expect(r.nonZeroMemory == 0)
    }

    @Test func hostPortsCollected() {
        let r = PodRequests(PodSpec(containers: [container(hostPort: 8080), container("b", hostPort: 53, hostIP: "10.0.0.1", proto: "UDP")]))
        #expect(r.hostPorts == [HostPortKey(ip: "", proto: "TCP", port: 8080), HostPortKey(ip: "10.0.0.1", proto: "UDP", port: 53)])
        #expect(r.hostPorts[0].ip == "0.0.0.0")
    }
}
