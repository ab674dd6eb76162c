// SPDX-License-Identifier: Apache-2.0

//go:build cgo && linux

package docalib

/*
#cgo LDFLAGS: -ldl
#include <dlfcn.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

// Opaque DOCA types: only pointers to them cross the API.
struct doca_devinfo;
struct doca_devinfo_rep;
struct doca_dev;
typedef int doca_error_t; // enum doca_error: an int in DOCA's ABI

typedef doca_error_t (*devinfo_create_list_fn)(struct doca_devinfo ***, uint32_t *);
typedef doca_error_t (*devinfo_destroy_list_fn)(struct doca_devinfo **);
typedef doca_error_t (*devinfo_str_fn)(const struct doca_devinfo *, char *, uint32_t);
typedef doca_error_t (*devinfo_pci_fn)(const struct doca_devinfo *, char *);
typedef doca_error_t (*dev_open_fn)(struct doca_devinfo *, struct doca_dev **);
typedef doca_error_t (*dev_close_fn)(struct doca_dev *);
typedef doca_error_t (*rep_create_list_fn)(struct doca_dev *, int, struct doca_devinfo_rep ***, uint32_t *);
typedef doca_error_t (*rep_destroy_list_fn)(struct doca_devinfo_rep **);
typedef doca_error_t (*rep_pci_fn)(const struct doca_devinfo_rep *, char *);
typedef doca_error_t (*rep_functype_fn)(const struct doca_devinfo_rep *, int *);
typedef doca_error_t (*rep_str_fn)(const struct doca_devinfo_rep *, char *, uint32_t);
typedef doca_error_t (*rep_u32_fn)(const struct doca_devinfo_rep *, uint32_t *);
typedef const char *(*error_str_fn)(doca_error_t);
typedef const char *(*version_fn)(void);
typedef doca_error_t (*devinfo_cap_fn)(const struct doca_devinfo *, uint8_t *);

// Buffer sizes: at least DOCA's DOCA_DEVINFO_PCI_ADDR_SIZE (13),
// DOCA_DEVINFO_IFACE_NAME_SIZE (256) and DOCA_DEVINFO_REP_VUID_SIZE (128).
#define SHIM_PCI_LEN 32
#define SHIM_IFACE_LEN 256
#define SHIM_VUID_LEN 128

typedef struct {
	void *h;
	devinfo_create_list_fn devinfo_create_list;
	devinfo_destroy_list_fn devinfo_destroy_list;
	devinfo_str_fn devinfo_get_iface_name;
	devinfo_pci_fn devinfo_get_pci_addr_str;
	dev_open_fn dev_open;
	dev_close_fn dev_close;
	rep_create_list_fn rep_create_list;
	rep_destroy_list_fn rep_destroy_list;
	rep_pci_fn rep_get_pci_addr_str;
	rep_functype_fn rep_get_pci_func_type;
	rep_str_fn rep_get_vuid;
	error_str_fn error_get_name;
	error_str_fn error_get_descr;
	// Optional: absent in some DOCA releases.
	rep_str_fn rep_get_iface_name;
	rep_u32_fn rep_get_host_index;
	rep_u32_fn rep_get_pf_index;
	rep_u32_fn rep_get_vf_index;
	version_fn version_runtime;
	devinfo_cap_fn rep_cap_net;
} shim_lib;

typedef struct {
	int is_rep; // 0: a device; 1: a representor of the last device before it
	int no_reps; // a device that is no eswitch manager: it lists no representors
	char pci[SHIM_PCI_LEN];
	char iface[SHIM_IFACE_LEN];
	char vuid[SHIM_VUID_LEN];
	int functype, host, pf, vf;
} shim_rec;

typedef struct {
	shim_rec *recs;   // malloc'd by shim_inventory, freed by shim_inventory_free
	uint32_t n, cap;
	doca_error_t err; // first error, 0 on success
	const char *op;   // the DOCA function that returned err (a string literal)
} shim_result;

// The symbols this shim resolves, where each goes in shim_lib, and whether
// it is required. Optional ones come last, in the order of their bits in
// shim_open's missing_opt.
typedef struct { const char *name; size_t off; int required; } shim_sym;
static const shim_sym shim_syms[] = {
	{"doca_devinfo_create_list", offsetof(shim_lib, devinfo_create_list), 1},
	{"doca_devinfo_destroy_list", offsetof(shim_lib, devinfo_destroy_list), 1},
	{"doca_devinfo_get_iface_name", offsetof(shim_lib, devinfo_get_iface_name), 1},
	{"doca_devinfo_get_pci_addr_str", offsetof(shim_lib, devinfo_get_pci_addr_str), 1},
	{"doca_dev_open", offsetof(shim_lib, dev_open), 1},
	{"doca_dev_close", offsetof(shim_lib, dev_close), 1},
	{"doca_devinfo_rep_create_list", offsetof(shim_lib, rep_create_list), 1},
	{"doca_devinfo_rep_destroy_list", offsetof(shim_lib, rep_destroy_list), 1},
	{"doca_devinfo_rep_get_pci_addr_str", offsetof(shim_lib, rep_get_pci_addr_str), 1},
	{"doca_devinfo_rep_get_pci_func_type", offsetof(shim_lib, rep_get_pci_func_type), 1},
	{"doca_devinfo_rep_get_vuid", offsetof(shim_lib, rep_get_vuid), 1},
	{"doca_error_get_name", offsetof(shim_lib, error_get_name), 1},
	{"doca_error_get_descr", offsetof(shim_lib, error_get_descr), 1},
	{"doca_devinfo_rep_get_iface_name", offsetof(shim_lib, rep_get_iface_name), 0},
	{"doca_devinfo_rep_get_host_index", offsetof(shim_lib, rep_get_host_index), 0},
	{"doca_devinfo_rep_get_pf_index", offsetof(shim_lib, rep_get_pf_index), 0},
	{"doca_devinfo_rep_get_vf_index", offsetof(shim_lib, rep_get_vf_index), 0},
	{"doca_version_runtime", offsetof(shim_lib, version_runtime), 0},
	{"doca_devinfo_rep_cap_is_filter_net_supported", offsetof(shim_lib, rep_cap_net), 0},
};
#define SHIM_NSYMS (sizeof(shim_syms) / sizeof(shim_syms[0]))

// shim_open loads the library and resolves its symbols. On failure it
// returns a malloc'd message (the caller frees it) and leaves nothing open.
// missing_opt gets a bit per absent optional symbol, counted in table order.
static char *shim_open(const char *path, shim_lib *lib, uint32_t *missing_opt) {
	memset(lib, 0, sizeof(*lib));
	*missing_opt = 0;
	void *h = dlopen(path, RTLD_NOW | RTLD_LOCAL);
	if (!h) {
		const char *e = dlerror();
		return strdup(e ? e : "dlopen failed");
	}
	int opt = 0;
	for (size_t i = 0; i < SHIM_NSYMS; i++) {
		void *sym = dlsym(h, shim_syms[i].name);
		*(void **)((char *)lib + shim_syms[i].off) = sym;
		if (!sym && shim_syms[i].required) {
			char *msg = malloc(256);
			if (msg)
				snprintf(msg, 256, "required symbol %s is missing", shim_syms[i].name);
			dlclose(h);
			memset(lib, 0, sizeof(*lib));
			return msg ? msg : strdup("required symbol missing");
		}
		if (!shim_syms[i].required) {
			if (!sym)
				*missing_opt |= 1u << opt;
			opt++;
		}
	}
	lib->h = h;
	return NULL;
}

static int shim_noptional(void) {
	int n = 0;
	for (size_t i = 0; i < SHIM_NSYMS; i++)
		n += !shim_syms[i].required;
	return n;
}

static const char *shim_optional_name(int k) {
	for (size_t i = 0; i < SHIM_NSYMS; i++)
		if (!shim_syms[i].required && k-- == 0)
			return shim_syms[i].name;
	return "";
}

static void shim_close(shim_lib *lib) {
	if (lib->h)
		dlclose(lib->h);
	memset(lib, 0, sizeof(*lib));
}


static shim_rec *shim_push(shim_result *r) {
	if (r->n == r->cap) {
		uint32_t cap = r->cap ? r->cap * 2 : 16;
		shim_rec *recs = realloc(r->recs, cap * sizeof(shim_rec));
		if (!recs)
			return NULL;
		r->recs = recs;
		r->cap = cap;
	}
	shim_rec *rec = &r->recs[r->n++];
	memset(rec, 0, sizeof(*rec));
	rec->host = rec->pf = rec->vf = -1;
	return rec;
}

#define SHIM_FAIL(res, code, name) do { (res)->err = (code); (res)->op = (name); } while (0)
#define SHIM_NOMEM 7 // DOCA_ERROR_NO_MEMORY
#define SHIM_NOT_SUPPORTED 4 // DOCA_ERROR_NOT_SUPPORTED

static int shim_u32(rep_u32_fn fn, struct doca_devinfo_rep *rep) {
	uint32_t v = 0;
	if (!fn || fn(rep, &v) != 0)
		return -1;
	return (int)v;
}

// shim_reps appends the representors of an open device, the record at
// index devrec. A device that is no eswitch manager answers
// DOCA_ERROR_NOT_SUPPORTED: it is marked no_reps, not an error. It destroys
// the list it creates before returning, whatever happens.
static void shim_reps(shim_lib *lib, struct doca_dev *dev, int filter, shim_result *res, uint32_t devrec) {
	struct doca_devinfo_rep **reps = NULL;
	uint32_t n = 0;
	doca_error_t e = lib->rep_create_list(dev, filter, &reps, &n);
	if (e == SHIM_NOT_SUPPORTED) {
		res->recs[devrec].no_reps = 1;
		return;
	}
	if (e) {
		SHIM_FAIL(res, e, "doca_devinfo_rep_create_list");
		return;
	}
	for (uint32_t i = 0; i < n && !res->err; i++) {
		shim_rec *rec = shim_push(res);
		if (!rec) {
			SHIM_FAIL(res, SHIM_NOMEM, "malloc");
			break;
		}
		rec->is_rep = 1;
		if ((e = lib->rep_get_pci_addr_str(reps[i], rec->pci))) {
			SHIM_FAIL(res, e, "doca_devinfo_rep_get_pci_addr_str");
			break;
		}
		if ((e = lib->rep_get_pci_func_type(reps[i], &rec->functype))) {
			SHIM_FAIL(res, e, "doca_devinfo_rep_get_pci_func_type");
			break;
		}
		if ((e = lib->rep_get_vuid(reps[i], rec->vuid, SHIM_VUID_LEN))) {
			SHIM_FAIL(res, e, "doca_devinfo_rep_get_vuid");
			break;
		}
		if (lib->rep_get_iface_name && (e = lib->rep_get_iface_name(reps[i], rec->iface, SHIM_IFACE_LEN))) {
			SHIM_FAIL(res, e, "doca_devinfo_rep_get_iface_name");
			break;
		}
		rec->host = shim_u32(lib->rep_get_host_index, reps[i]);
		rec->pf = shim_u32(lib->rep_get_pf_index, reps[i]);
		rec->vf = shim_u32(lib->rep_get_vf_index, reps[i]);
	}
	e = lib->rep_destroy_list(reps);
	if (e && !res->err)
		SHIM_FAIL(res, e, "doca_devinfo_rep_destroy_list");
}

// shim_inventory lists every device and, for each, its representors. All
// DOCA lists are destroyed and all devices closed before it returns; the
// records it returns belong to the caller (shim_inventory_free).
static void shim_inventory(shim_lib *lib, int filter, int with_reps, shim_result *res) {
	memset(res, 0, sizeof(*res));
	struct doca_devinfo **devs = NULL;
	uint32_t n = 0;
	doca_error_t e = lib->devinfo_create_list(&devs, &n);
	if (e) {
		SHIM_FAIL(res, e, "doca_devinfo_create_list");
		return;
	}
	for (uint32_t i = 0; i < n && !res->err; i++) {
		shim_rec *rec = shim_push(res);
		if (!rec) {
			SHIM_FAIL(res, SHIM_NOMEM, "malloc");
			break;
		}
		if ((e = lib->devinfo_get_pci_addr_str(devs[i], rec->pci))) {
			SHIM_FAIL(res, e, "doca_devinfo_get_pci_addr_str");
			break;
		}
		if ((e = lib->devinfo_get_iface_name(devs[i], rec->iface, SHIM_IFACE_LEN))) {
			SHIM_FAIL(res, e, "doca_devinfo_get_iface_name");
			break;
		}
		if (!with_reps)
			continue;
		uint32_t devrec = res->n - 1;
		// Only an eswitch manager lists representors: ask first, when the
		// runtime can say (as NVIDIA's own samples do), and skip the others.
		if (lib->rep_cap_net) {
			uint8_t ok = 0;
			e = lib->rep_cap_net(devs[i], &ok);
			if (e && e != SHIM_NOT_SUPPORTED) {
				SHIM_FAIL(res, e, "doca_devinfo_rep_cap_is_filter_net_supported");
				break;
			}
			if (e || !ok) {
				rec->no_reps = 1;
				continue;
			}
		}
		struct doca_dev *dev = NULL;
		if ((e = lib->dev_open(devs[i], &dev))) {
			SHIM_FAIL(res, e, "doca_dev_open");
			break;
		}
		shim_reps(lib, dev, filter, res, devrec);
		e = lib->dev_close(dev);
		if (e && !res->err)
			SHIM_FAIL(res, e, "doca_dev_close");
	}
	e = lib->devinfo_destroy_list(devs);
	if (e && !res->err)
		SHIM_FAIL(res, e, "doca_devinfo_destroy_list");
}

static void shim_inventory_free(shim_result *res) {
	free(res->recs);
	memset(res, 0, sizeof(*res));
}

static const char *shim_error_name(shim_lib *lib, doca_error_t e) { return lib->error_get_name(e); }
static const char *shim_error_descr(shim_lib *lib, doca_error_t e) { return lib->error_get_descr(e); }

// shim_version returns doca_version_runtime(), or NULL. (doca_version is
// static inline in doca_version.h: no runtime exports it.)
static const char *shim_version(shim_lib *lib) {
	if (lib->version_runtime)
		return lib->version_runtime();
	return NULL;
}

// shim_outstanding asks a stand-in runtime how many lists and devices are
// still open (a leak counter real DOCA does not have); -1 when unknown.
static int shim_outstanding(shim_lib *lib) {
	int (*fn)(void) = (int (*)(void))dlsym(lib->h, "standin_outstanding");
	return fn ? fn() : -1;
}
*/
import "C"

import (
	"fmt"
	"strings"
	"sync"
	"unsafe"
)

// Lib is a loaded DOCA runtime. It is safe for concurrent use.
type Lib struct {
	mu      sync.Mutex
	lib     C.shim_lib
	path    string
	missing []string
	closed  bool
}

// Open loads the DOCA runtime from path, or from DefaultLibraries when path
// is empty, and resolves the functions this package calls. When the library
// or a required function is absent, the error matches ErrNotSupported.
func Open(path string) (*Lib, error) {
	candidates := []string{path}
	if path == "" {
		candidates = DefaultLibraries
	}
	var reasons []string
	for _, p := range candidates {
		l := &Lib{path: p}
		cpath := C.CString(p)
		var missing C.uint32_t
		msg := C.shim_open(cpath, &l.lib, &missing)
		C.free(unsafe.Pointer(cpath))
		if msg != nil {
			reasons = append(reasons, C.GoString(msg))
			C.free(unsafe.Pointer(msg))
			continue
		}
		for i := 0; i < int(C.shim_noptional()); i++ {
			if missing&(1<<uint(i)) != 0 {
				l.missing = append(l.missing, C.GoString(C.shim_optional_name(C.int(i))))
			}
		}
		return l, nil
	}
	return nil, fmt.Errorf("%w: cannot load the DOCA runtime: %s", ErrNotSupported, strings.Join(reasons, "; "))
}

// Path returns the library path Open loaded.
func (l *Lib) Path() string { return l.path }

// Missing returns the optional DOCA functions this runtime lacks (older
// releases lack the representor index getters and the capability check).
func (l *Lib) Missing() []string { return append([]string(nil), l.missing...) }

// Close unloads the library. Calls after Close return an error.
func (l *Lib) Close() error {
	l.mu.Lock()
	defer l.mu.Unlock()
	if !l.closed {
		C.shim_close(&l.lib)
		l.closed = true
	}
	return nil
}

// Version returns the runtime's version string, or "" when it does not say.
func (l *Lib) Version() (string, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.closed {
		return "", errClosed
	}
	v := C.shim_version(&l.lib)
	if v == nil {
		return "", nil
	}
	return C.GoString(v), nil
}

var errClosed = fmt.Errorf("docalib: library closed")

// Devices lists every DOCA device and, for each, the representors the filter
// selects. Every list and device handle DOCA gives out is released before it
// returns, on success and on error.
func (l *Lib) Devices(filter Filter) ([]Device, error) { return l.inventory(filter, true) }

// DeviceList lists the devices without opening them (no representors).
func (l *Lib) DeviceList() ([]Device, error) { return l.inventory(FilterAll, false) }

func (l *Lib) inventory(filter Filter, withReps bool) ([]Device, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.closed {
		return nil, errClosed
	}
	var res C.shim_result
	reps := C.int(0)
	if withReps {
		reps = 1
	}
	C.shim_inventory(&l.lib, C.int(filter), reps, &res)
	defer C.shim_inventory_free(&res)
	if res.err != 0 {
		return nil, l.docaError(C.GoString(res.op), res.err)
	}
	recs := unsafe.Slice(res.recs, int(res.n))
	var devs []Device
	for i := range recs {
		r := &recs[i]
		if r.is_rep == 0 {
			devs = append(devs, Device{PCI: C.GoString(&r.pci[0]), Iface: C.GoString(&r.iface[0]), NotManager: r.no_reps != 0})
			continue
		}
		if len(devs) == 0 {
			return nil, fmt.Errorf("docalib: representor record before any device")
		}
		d := &devs[len(devs)-1]
		d.Representors = append(d.Representors, Representor{
			PCI: C.GoString(&r.pci[0]), Type: FuncType(r.functype), VUID: C.GoString(&r.vuid[0]),
			Iface: C.GoString(&r.iface[0]), Host: int(r.host), PF: int(r.pf), VF: int(r.vf),
		})
	}
	return devs, nil
}

// docaError builds an *Error with the runtime's own name and description.
func (l *Lib) docaError(op string, code C.doca_error_t) error {
	e := &Error{Op: op, Code: int(code)}
	if op == "malloc" {
		e.Name, e.Description = "DOCA_ERROR_NO_MEMORY", "out of memory in the shim"
		return e
	}
	if n := C.shim_error_name(&l.lib, code); n != nil {
		e.Name = C.GoString(n)
	}
	if d := C.shim_error_descr(&l.lib, code); d != nil {
		e.Description = C.GoString(d)
	}
	return e
}

// outstanding reports how many DOCA lists and devices a stand-in runtime
// still holds (-1 for a real runtime, which has no such counter).
func (l *Lib) outstanding() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.closed {
		return -1
	}
	return int(C.shim_outstanding(&l.lib))
}
