// SPDX-License-Identifier: Apache-2.0

// Package sysfs is the filesystem seam between the project and /sys.
//
// Code that reads sysfs takes an [FS]: the real one comes from [Root] (or
// [Dir] for another mount point), tests pass a [Fake] holding a hand-built
// tree with the same files and symbolic links a real device would show. Paths
// are io/fs paths relative to the sysfs root, such as
// "class/net/p0/phys_port_name".
package sysfs

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
	"strings"
	"sync"
	"testing/fstest"
)

// FS is the view of sysfs that callers read and write. Reads follow symbolic
// links; ReadLink and Lstat do not.
type FS interface {
	fs.ReadLinkFS
	// WriteFile writes data to the existing attribute file name, as
	// `echo data > /sys/name` would. It never creates files.
	WriteFile(name string, data []byte) error
}

// Root returns the real sysfs mounted at /sys.
func Root() FS { return Dir("/sys") }

// Dir returns the sysfs tree mounted at dir.
func Dir(dir string) FS {
	return osFS{ReadLinkFS: os.DirFS(dir).(fs.ReadLinkFS), dir: dir}
}

type osFS struct {
	fs.ReadLinkFS
	dir string
}

// WriteFile implements FS. The file must already exist (sysfs attributes are
// never created by writing).
func (o osFS) WriteFile(name string, data []byte) error {
	if !fs.ValidPath(name) {
		return &fs.PathError{Op: "write", Path: name, Err: fs.ErrInvalid}
	}
	f, err := os.OpenFile(path.Join(o.dir, name), os.O_WRONLY, 0)
	if err != nil {
		return err
	}
	if _, err := f.Write(data); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

// ReadString reads the attribute file name and returns its content without
// the trailing newline.
func ReadString(fsys fs.FS, name string) (string, error) {
	b, err := fs.ReadFile(fsys, name)
	if err != nil {
		return "", err
	}
	return strings.TrimRight(string(b), "\n"), nil
}

// RealPath resolves every symbolic link in name, as realpath(3) does, and
// returns the canonical path inside fsys (for instance the
// "devices/pci0000:00/.../0000:03:00.0" a "class/net/p0/device" link leads
// to). It fails when a link points outside the tree or loops.
func RealPath(fsys fs.ReadLinkFS, name string) (string, error) {
	if !fs.ValidPath(name) {
		return "", &fs.PathError{Op: "realpath", Path: name, Err: fs.ErrInvalid}
	}
	var resolved []string
	pending := strings.Split(name, "/")
	links := 0
	for len(pending) > 0 {
		elem := pending[0]
		pending = pending[1:]
		switch elem {
		case ".", "":
			continue
		case "..":
			if len(resolved) == 0 {
				return "", &fs.PathError{Op: "realpath", Path: name, Err: errors.New("link leads outside the sysfs tree")}
			}
			resolved = resolved[:len(resolved)-1]
			continue
		}
		cur := path.Join(append(resolved, elem)...)
		info, err := fsys.Lstat(cur)
		if err != nil {
			return "", err
		}
		if info.Mode().Type() != fs.ModeSymlink {
			resolved = append(resolved, elem)
			continue
		}
		if links++; links > 40 {
			return "", &fs.PathError{Op: "realpath", Path: name, Err: errors.New("too many levels of symbolic links")}
		}
		target, err := fsys.ReadLink(cur)
		if err != nil {
			return "", err
		}
		if path.IsAbs(target) {
			// An absolute link inside /sys names a path from the sysfs root.
			if !strings.HasPrefix(target, "/sys/") {
				return "", &fs.PathError{Op: "realpath", Path: name, Err: fmt.Errorf("absolute link %q outside /sys", target)}
			}
			resolved = nil
			target = strings.TrimPrefix(target, "/sys/")
		}
		pending = append(strings.Split(target, "/"), pending...)
	}
	if len(resolved) == 0 {
		return ".", nil
	}
	return path.Join(resolved...), nil
}

// Fake is an in-memory sysfs tree for tests. It is safe for concurrent use.
// Files are added with [Fake.File], directories with [Fake.Dir] and symbolic
// links with [Fake.Link]; OnWrite, when set, decides what a write does (it is
// called with the lock held and may change the tree through the map it is
// given). Without OnWrite a write replaces the content of an existing file.
type Fake struct {
	mu   sync.Mutex
	m    fstest.MapFS
	snap fstest.MapFS // read-only copy of m for Open; nil after a change
	// OnWrite, when not nil, is called for every WriteFile instead of the
	// default behaviour. It receives the tree to modify.
	OnWrite func(tree fstest.MapFS, name string, data []byte) error
}

// NewFake returns an empty fake tree.
func NewFake() *Fake { return &Fake{m: fstest.MapFS{}} }

// File adds a regular file holding content.
func (f *Fake) File(name, content string) *Fake {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.m[name] = &fstest.MapFile{Data: []byte(content), Mode: 0o644}
	f.snap = nil
	return f
}

// Dir adds an empty directory.
func (f *Fake) Dir(name string) *Fake {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.m[name] = &fstest.MapFile{Mode: fs.ModeDir | 0o755}
	f.snap = nil
	return f
}

// Link adds a symbolic link name pointing at target (relative to the link's
// directory, as sysfs links are).
func (f *Fake) Link(name, target string) *Fake {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.m[name] = &fstest.MapFile{Data: []byte(target), Mode: fs.ModeSymlink | 0o777}
	f.snap = nil
	return f
}

// Remove deletes name and everything below it.
func (f *Fake) Remove(name string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.snap = nil
	for k := range f.m {
		if k == name || strings.HasPrefix(k, name+"/") {
			delete(f.m, k)
		}
	}
}

// Update runs fn with the lock held, for changes made while readers run.
func (f *Fake) Update(fn func(tree fstest.MapFS)) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.snap = nil
	fn(f.m)
}

// Open implements fs.FS. The returned file is a snapshot: later changes to
// the tree do not affect it.
func (f *Fake) Open(name string) (fs.File, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.snapshot().Open(name)
}

// snapshot returns a copy of the map, made once per change, so that an
// open file or directory listing never races with a later change. The
// lock must be held.
func (f *Fake) snapshot() fstest.MapFS {
	if f.snap != nil {
		return f.snap
	}
	c := make(fstest.MapFS, len(f.m))
	for k, v := range f.m {
		cp := *v
		cp.Data = append([]byte(nil), v.Data...)
		c[k] = &cp
	}
	f.snap = c
	return c
}

// ReadLink implements fs.ReadLinkFS.
func (f *Fake) ReadLink(name string) (string, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.m.ReadLink(name)
}

// Lstat implements fs.ReadLinkFS.
func (f *Fake) Lstat(name string) (fs.FileInfo, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.m.Lstat(name)
}

// WriteFile implements FS.
func (f *Fake) WriteFile(name string, data []byte) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.snap = nil
	if f.OnWrite != nil {
		return f.OnWrite(f.m, name, data)
	}
	real, ok := f.resolve(name)
	if !ok {
		return &fs.PathError{Op: "write", Path: name, Err: fs.ErrNotExist}
	}
	file := f.m[real]
	if file.Mode.IsDir() {
		return &fs.PathError{Op: "write", Path: name, Err: errors.New("is a directory")}
	}
	file.Data = append([]byte(nil), data...)
	return nil
}

// resolve follows links to the real file name; the lock must be held.
func (f *Fake) resolve(name string) (string, bool) {
	real, err := RealPath(f.m, name)
	if err != nil {
		return "", false
	}
	_, ok := f.m[real]
	return real, ok
}
