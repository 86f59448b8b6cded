import Foundation
import Testing
@testable import NodeAgent

/// The registry client's pure parts: challenges, credentials, platforms, media types, URLs.
@Suite("Registry client units")
struct RegistryUnitTests {
    @Test func bearerChallenge() {
        let c = RegistryChallenge.parse(#"Bearer realm="https://auth.docker.io/token",service="registry.docker.io",scope="repository:library/busybox:pull""#)
        #expect(c == [RegistryChallenge(scheme: "bearer", parameters: [
            "realm": "https://auth.docker.io/token", "service": "registry.docker.io",
            "scope": "repository:library/busybox:pull"])])
    }

    @Test func severalChallengesAndUnquotedValues() {
        let c = RegistryChallenge.parse(#"Basic realm="reg, with comma", Bearer realm=https://t/x,service=s"#)
        #expect(c.map(\.scheme) == ["basic", "bearer"])
        #expect(c[0].parameters["realm"] == "reg, with comma")
        #expect(c[1].parameters == ["realm": "https://t/x", "service": "s"])
    }

    @Test func dockerConfigCredentials() throws {
        let auth = Data("u:p:with:colons".utf8).base64EncodedString()
        let creds = try RegistryCredentials(dockerConfigJSON: Array("""
        {"auths": {"https://index.docker.io/v1/": {"auth": "\(auth)"},
                   "http://reg.example:5000/v2/": {"username": "a", "password": "b"},
                   "empty.example": {}}}
        """.utf8))
        #expect(creds.credential(for: "docker.io") == RegistryCredential(username: "u", password: "p:with:colons"))
        #expect(creds.credential(for: "reg.example:5000") == RegistryCredential(username: "a", password: "b"))
        #expect(creds.credential(for: "empty.example") == nil)
        #expect(creds.credential(for: "reg.example") == nil)
    }

    @Test func kubernetesSecretPayloads() throws {
        let auth = Data("x:y".utf8).base64EncodedString()
        let new = try RegistryCredentials(kubernetesSecretData: [".dockerconfigjson": Array(#"{"auths":{"r.io":{"auth":"\#(auth)"}}}"#.utf8)])
        let old = try RegistryCredentials(kubernetesSecretData: [".dockercfg": Array(#"{"r.io":{"auth":"\#(auth)"}}"#.utf8)])
        #expect(new.credential(for: "r.io") == RegistryCredential(username: "x", password: "y"))
        #expect(old == new)
        #expect(throws: RegistryCredentials.ParseError.self) { try RegistryCredentials(kubernetesSecretData: [:]) }
        #expect(throws: RegistryCredentials.ParseError.self) {
            try RegistryCredentials(dockerConfigJSON: Array(#"{"auths":{"r.io":{"auth":"bm8tY29sb24="}}}"#.utf8))
        }
    }

    func index(_ platforms: [RegistryPlatform]) -> RegistryImageIndex {
        RegistryImageIndex(schemaVersion: 2, mediaType: RegistryMediaType.ociIndex, manifests: platforms.enumerated().map {
            RegistryDescriptor(mediaType: RegistryMediaType.ociManifest,
                               digest: "sha256:" + String(repeating: String($0.offset), count: 64), size: 1, platform: $0.element)
        })
    }

    @Test func platformSelection() {
        let amd = RegistryPlatform(os: "linux", architecture: "amd64")
        let arm64 = RegistryPlatform(os: "linux", architecture: "arm64", variant: "v8")
        let armv7 = RegistryPlatform(os: "linux", architecture: "arm", variant: "v7")
        let entries = [RegistryPlatform(os: "windows", architecture: "amd64"),
                       RegistryPlatform(os: "linux", architecture: "arm64"),
                       RegistryPlatform(os: "linux", architecture: "arm", variant: "v6"),
                       RegistryPlatform(os: "linux", architecture: "arm", variant: "v7"),
                       RegistryPlatform(os: "linux", architecture: "amd64")]
        let i = index(entries)
        #expect(amd.select(from: i)?.platform == entries[4])
        #expect(arm64.select(from: i)?.platform == entries[1])  // no variant means v8
        #expect(armv7.select(from: i)?.platform == entries[3])  // exact variant beats v6
        #expect(RegistryPlatform(os: "linux", architecture: "arm", variant: "v6").select(from: i)?.platform == entries[2])
        #expect(RegistryPlatform(os: "linux", architecture: "arm", variant: "v5").select(from: index([entries[3]])) == nil)
        #expect(armv7.select(from: index([entries[2]]))?.platform == entries[2])  // v6 runs on v7
        #expect(RegistryPlatform(os: "linux", architecture: "s390x").select(from: i) == nil)
        #expect(RegistryPlatform.host.os == "linux")
    }

    @Test func manifestMediaTypes() {
        let body = Array(#"{"schemaVersion":2,"config":{"mediaType":"a","digest":"sha256:x","size":1},"layers":[]}"#.utf8)
        #expect(FetchedManifest.mediaType(contentType: RegistryMediaType.dockerManifest + "; charset=utf-8", bytes: body).known == RegistryMediaType.dockerManifest)
        #expect(FetchedManifest.mediaType(contentType: "application/json", bytes: body).known == RegistryMediaType.ociManifest)
        #expect(FetchedManifest.mediaType(contentType: nil, bytes: Array(#"{"manifests":[]}"#.utf8)).known == RegistryMediaType.ociIndex)
        let weird = FetchedManifest.mediaType(contentType: "application/vnd.x+json", bytes: Array(#"{"mediaType":"application/vnd.x+json"}"#.utf8))
        #expect(weird.known == nil && weird.seen == "application/vnd.x+json")
        #expect(FetchedManifest.mediaType(contentType: "application/vnd.docker.distribution.manifest.v1+prettyjws", bytes: body).known == nil)
    }

    @Test func schemesAndHosts() {
        var config = RegistryConfiguration(insecureRegistries: ["reg.lan:5000"])
        config.maxAttempts = 1
        let c = RegistryClient(configuration: config)
        #expect(c.baseURL(for: "docker.io") == "https://registry-1.docker.io")
        #expect(c.baseURL(for: "localhost:5000") == "http://localhost:5000")
        #expect(c.baseURL(for: "127.0.0.1:1234") == "http://127.0.0.1:1234")
        #expect(c.baseURL(for: "[::1]:5000") == "http://[::1]:5000")
        #expect(c.baseURL(for: "reg.lan:5000") == "http://reg.lan:5000")
        #expect(c.baseURL(for: "reg.lan:5001") == "https://reg.lan:5001")
        #expect(c.baseURL(for: "ghcr.io") == "https://ghcr.io")
        #expect(registryPercentEncode("repository:a/b:pull") == "repository%3Aa%2Fb%3Apull")
    }
}
