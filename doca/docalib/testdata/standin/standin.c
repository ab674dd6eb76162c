/*
 * A stand-in for NVIDIA's DOCA runtime (libdoca_common), written for the
 * ovsoffload tests. It exports the functions the docalib shim calls, with
 * DOCA's documented signatures and error codes, and serves a device tree
 * read from the file named by $OVSOFFLOAD_DOCA_STANDIN:
 *
 *   version 3.2.1-standin
 *   device pci=0000:03:00.0 iface=p0
 *   rep pci=0000:3b:00.0 type=pf iface=pf0hpf vuid=MT0001PF0 host=1 pf=0
 *   rep pci=0000:3b:00.2 type=vf iface=pf0vf0 vuid=MT0001VF0 host=1 pf=0 vf=0 net=1
 *   fail doca_dev_open 3
 *
 * "device ... manager=0" is a device that is no eswitch manager: the
 * capability check says no and listing its representors returns
 * DOCA_ERROR_NOT_SUPPORTED, as real DOCA does.
 * "rep" lines belong to the device above them; net=0 hides a representor
 * from DOCA_DEVINFO_REP_FILTER_NET. "fail NAME CODE" makes function NAME
 * return CODE. standin_outstanding() counts lists and devices not yet
 * released, so the tests can prove the shim releases everything.
 *
 * Build variants: -DSTANDIN_OLD leaves out the functions older DOCA
 * releases lack (representor index getters, iface name, runtime version,
 * the representor capability check); -DSTANDIN_NO_CAP leaves out only the
 * capability check; doca_version, which real DOCA never exports (it is
 * static inline in doca_version.h), is exported as a trap;
 * -DSTANDIN_NO_VUID leaves out a required function.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAXDEV 8
#define MAXREP 64
#define MAXFAIL 16

struct rep {
	char pci[32], iface[64], vuid[128];
	int type, host, pf, vf, net;
};
struct doca_devinfo {
	char pci[32], iface[64];
	int nrep, manager;
	struct rep reps[MAXREP];
};
struct doca_devinfo_rep {
	struct rep r;
};
struct doca_dev {
	struct doca_devinfo *info;
};
struct fail {
	char name[64];
	int code;
};

static struct doca_devinfo devs[MAXDEV];
static int ndev;
static char version[64];
static struct fail fails[MAXFAIL];
static int nfail;
static int outstanding;

int standin_outstanding(void) { return outstanding; }

static int failcode(const char *fn) {
	for (int i = 0; i < nfail; i++)
		if (!strcmp(fails[i].name, fn))
			return fails[i].code;
	return 0;
}

static void field(const char *line, const char *key, char *out, size_t n) {
	char pat[40];
	snprintf(pat, sizeof pat, " %s=", key);
	const char *p = strstr(line, pat);
	if (!p)
		return;
	p += strlen(pat);
	size_t i = 0;
	while (p[i] && p[i] != ' ' && p[i] != '\n' && i + 1 < n) {
		out[i] = p[i];
		i++;
	}
	out[i] = 0;
}

static int ifield(const char *line, const char *key, int def) {
	char buf[32] = "";
	field(line, key, buf, sizeof buf);
	return buf[0] ? atoi(buf) : def;
}

/* load reads the tree file; it returns 0 or a DOCA error code. */
static int load(void) {
	ndev = nfail = 0;
	version[0] = 0;
	const char *path = getenv("OVSOFFLOAD_DOCA_STANDIN");
	if (!path)
		return 16; /* DOCA_ERROR_NOT_FOUND: no devices */
	FILE *f = fopen(path, "r");
	if (!f)
		return 17; /* DOCA_ERROR_IO_FAILED */
	char line[512];
	while (fgets(line, sizeof line, f)) {
		if (!strncmp(line, "version ", 8)) {
			snprintf(version, sizeof version, "%s", line + 8);
			version[strcspn(version, "\n")] = 0;
		} else if (!strncmp(line, "device ", 7) && ndev < MAXDEV) {
			struct doca_devinfo *d = &devs[ndev++];
			memset(d, 0, sizeof *d);
			field(line, "pci", d->pci, sizeof d->pci);
			field(line, "iface", d->iface, sizeof d->iface);
			d->manager = ifield(line, "manager", 1);
		} else if (!strncmp(line, "rep ", 4) && ndev > 0 && devs[ndev - 1].nrep < MAXREP) {
			struct doca_devinfo *d = &devs[ndev - 1];
			struct rep *r = &d->reps[d->nrep++];
			char type[8] = "vf";
			memset(r, 0, sizeof *r);
			field(line, "pci", r->pci, sizeof r->pci);
			field(line, "iface", r->iface, sizeof r->iface);
			field(line, "vuid", r->vuid, sizeof r->vuid);
			field(line, "type", type, sizeof type);
			r->type = !strcmp(type, "pf") ? 0 : !strcmp(type, "sf") ? 2 : 1;
			r->host = ifield(line, "host", -1);
			r->pf = ifield(line, "pf", -1);
			r->vf = ifield(line, "vf", -1);
			r->net = ifield(line, "net", 1);
		} else if (!strncmp(line, "fail ", 5) && nfail < MAXFAIL) {
			struct fail *fl = &fails[nfail++];
			if (sscanf(line + 5, "%63s %d", fl->name, &fl->code) != 2)
				nfail--;
		}
	}
	fclose(f);
	return 0;
}

int doca_devinfo_create_list(struct doca_devinfo ***list, uint32_t *n) {
	int e = load();
	if (e)
		return e;
	if ((e = failcode(__func__)))
		return e;
	if (!list || !n)
		return 6; /* DOCA_ERROR_INVALID_VALUE */
	struct doca_devinfo **l = calloc(ndev + 1, sizeof *l);
	if (!l)
		return 7;
	for (int i = 0; i < ndev; i++)
		l[i] = &devs[i];
	*list = l;
	*n = (uint32_t)ndev;
	outstanding++;
	return 0;
}

int doca_devinfo_destroy_list(struct doca_devinfo **list) {
	if (!list)
		return 6;
	free(list);
	outstanding--;
	return failcode(__func__);
}

static int copy(const char *src, char *dst, uint32_t size) {
	if (!dst)
		return 6;
	if (strlen(src) + 1 > size)
		return 6;
	memcpy(dst, src, strlen(src) + 1);
	return 0;
}

int doca_devinfo_get_iface_name(const struct doca_devinfo *d, char *out, uint32_t size) {
	int e = failcode(__func__);
	return e ? e : copy(d->iface, out, size);
}

int doca_devinfo_get_pci_addr_str(const struct doca_devinfo *d, char *out) {
	int e = failcode(__func__);
	return e ? e : copy(d->pci, out, 13); /* DOCA_DEVINFO_PCI_ADDR_SIZE */
}

int doca_dev_open(struct doca_devinfo *d, struct doca_dev **dev) {
	int e = failcode(__func__);
	if (e)
		return e;
	struct doca_dev *x = malloc(sizeof *x);
	if (!x)
		return 7;
	x->info = d;
	*dev = x;
	outstanding++;
	return 0;
}

int doca_dev_close(struct doca_dev *dev) {
	if (!dev)
		return 6;
	free(dev);
	outstanding--;
	return failcode(__func__);
}

int doca_devinfo_rep_create_list(struct doca_dev *dev, int filter, struct doca_devinfo_rep ***list, uint32_t *n) {
	int e = failcode(__func__);
	if (e)
		return e;
	struct doca_devinfo *d = dev->info;
	if (!d->manager)
		return 4; /* DOCA_ERROR_NOT_SUPPORTED: not an eswitch manager */
	struct doca_devinfo_rep **l = calloc(d->nrep + 1, sizeof *l);
	if (!l)
		return 7;
	uint32_t k = 0;
	for (int i = 0; i < d->nrep; i++) {
		if ((filter & (1 << 1)) && !d->reps[i].net)
			continue;
		l[k++] = (struct doca_devinfo_rep *)&d->reps[i];
	}
	*list = l;
	*n = k;
	outstanding++;
	return 0;
}

int doca_devinfo_rep_destroy_list(struct doca_devinfo_rep **list) {
	if (!list)
		return 6;
	free(list);
	outstanding--;
	return failcode(__func__);
}

int doca_devinfo_rep_get_pci_addr_str(const struct doca_devinfo_rep *r, char *out) {
	int e = failcode(__func__);
	return e ? e : copy(r->r.pci, out, 13);
}

int doca_devinfo_rep_get_pci_func_type(const struct doca_devinfo_rep *r, int *t) {
	int e = failcode(__func__);
	if (e)
		return e;
	*t = r->r.type;
	return 0;
}

#ifndef STANDIN_NO_VUID
int doca_devinfo_rep_get_vuid(const struct doca_devinfo_rep *r, char *out, uint32_t size) {
	int e = failcode(__func__);
	return e ? e : copy(r->r.vuid, out, size);
}
#endif

#ifndef STANDIN_OLD
int doca_devinfo_rep_get_iface_name(const struct doca_devinfo_rep *r, char *out, uint32_t size) {
	int e = failcode(__func__);
	return e ? e : copy(r->r.iface, out, size);
}

static int index_of(int v, uint32_t *out) {
	if (v < 0)
		return 4; /* DOCA_ERROR_NOT_SUPPORTED: the index does not apply */
	*out = (uint32_t)v;
	return 0;
}
int doca_devinfo_rep_get_host_index(const struct doca_devinfo_rep *r, uint32_t *out) { return index_of(r->r.host, out); }
int doca_devinfo_rep_get_pf_index(const struct doca_devinfo_rep *r, uint32_t *out) { return index_of(r->r.pf, out); }
int doca_devinfo_rep_get_vf_index(const struct doca_devinfo_rep *r, uint32_t *out) { return index_of(r->r.vf, out); }

const char *doca_version_runtime(void) {
	load();
	return version[0] ? version : NULL;
}

#ifndef STANDIN_NO_CAP
int doca_devinfo_rep_cap_is_filter_net_supported(const struct doca_devinfo *d, uint8_t *ok) {
	int e = failcode(__func__);
	if (e)
		return e;
	if (!d || !ok)
		return 6;
	*ok = (uint8_t)d->manager;
	return 0;
}
#endif
#endif

const char *doca_version(void) { return "standin-compile-time"; }

static const char *names[] = {
	"DOCA_SUCCESS", "DOCA_ERROR_UNKNOWN", "DOCA_ERROR_NOT_PERMITTED", "DOCA_ERROR_IN_USE",
	"DOCA_ERROR_NOT_SUPPORTED", "DOCA_ERROR_AGAIN", "DOCA_ERROR_INVALID_VALUE", "DOCA_ERROR_NO_MEMORY",
	"DOCA_ERROR_INITIALIZATION", "DOCA_ERROR_TIME_OUT", "DOCA_ERROR_SHUTDOWN", "DOCA_ERROR_CONNECTION_RESET",
	"DOCA_ERROR_CONNECTION_ABORTED", "DOCA_ERROR_CONNECTION_INPROGRESS", "DOCA_ERROR_NOT_CONNECTED",
	"DOCA_ERROR_NO_LOCK", "DOCA_ERROR_NOT_FOUND", "DOCA_ERROR_IO_FAILED", "DOCA_ERROR_BAD_STATE",
	"DOCA_ERROR_UNSUPPORTED_VERSION", "DOCA_ERROR_OPERATING_SYSTEM", "DOCA_ERROR_DRIVER", "DOCA_ERROR_UNEXPECTED",
};
static const char *descrs[] = {
	"Success", "Unknown error", "Operation not permitted", "Resource already in use", "Operation not supported",
	"Resource temporarily unavailable, try again", "Invalid input", "Memory allocation failure",
	"Resource initialization failure", "Timer expired waiting for resource", "Shut down in process or completed",
	"Connection reset by peer", "Connection aborted", "Connection in progress", "Not connected",
	"Unable to acquire required lock", "Resource not found", "Input/Output operation failed", "Bad state",
	"Unsupported version", "Operating system call failure", "DOCA driver call failure",
	"An unexpected scenario was detected",
};
#define NNAMES (int)(sizeof names / sizeof names[0])

const char *doca_error_get_name(int e) { return e >= 0 && e < NNAMES ? names[e] : "DOCA_ERROR_UNKNOWN_CODE"; }
const char *doca_error_get_descr(int e) { return e >= 0 && e < NNAMES ? descrs[e] : "Unknown error code"; }
