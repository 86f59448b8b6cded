#pragma once
#include "swl_cgroup_bpf.h"
