// The C layer of Swiftlet: the clone→exec path of a container and small syscall shims.
#pragma once

#include "swl_container.h"
#include "swl_sys.h"
#include "swl_cgroup_bpf.h"
#include "swl_image.h"
#include "swl_http.h"
