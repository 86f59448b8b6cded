#!/bin/sh
# Regenerates Sources/ControlPlane/EtcdAPI/Generated from the .proto files in
# Sources/ControlPlane/EtcdAPI/Proto. Not part of the build: the generated Swift is committed.
#
# Needs protoc (apt-get install -y protobuf-compiler) and the two plugins, built from the package's
# own checkouts (swift package resolve first) in scratch paths outside .build:
#   swift build --package-path .build/checkouts/swift-protobuf --product protoc-gen-swift \
#       --scratch-path /tmp/build-protoc-swift
#   swift build --package-path .build/checkouts/grpc-swift-protobuf --product protoc-gen-grpc-swift-2 \
#       --scratch-path /tmp/build-protoc-grpc
# Usage: scripts/gen-etcd-proto.sh PATH/TO/protoc-gen-swift PATH/TO/protoc-gen-grpc-swift-2
set -eu
swift_plugin=${1:?path to protoc-gen-swift}
grpc_plugin=${2:?path to protoc-gen-grpc-swift-2}
root=$(cd "$(dirname "$0")/.." && pwd)
proto="$root/Sources/ControlPlane/EtcdAPI/Proto"
out="$root/Sources/ControlPlane/EtcdAPI/Generated"
rm -f "$out"/*.swift
protoc --proto_path="$proto" \
    --plugin=protoc-gen-swift="$swift_plugin" --swift_out="$out" --swift_opt=Visibility=Internal \
    kv.proto rpc.proto
protoc --proto_path="$proto" \
    --plugin=protoc-gen-grpc-swift="$grpc_plugin" --grpc-swift_out="$out" \
    --grpc-swift_opt=Visibility=Internal,Server=true,Client=true \
    rpc.proto
ls -l "$out"
