package cartridge

import (
	"archive/zip"
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/cairn-learning/cairn/internal/limits"
)

// What a cartridge may weigh. A cartridge comes from outside (a teacher's
// export, an upload): its size is bounded before it is opened, its zip's
// directory before anything is decompressed, its manifest and each link's
// description while they are read, and the number of its activities,
// standards and the length of its texts as they are read. The numbers are
// in internal/limits.

// Open reads the cartridge at name: a zip file (.imscc, .zip), a folder
// holding imsmanifest.xml, or a thin cartridge's manifest alone (.xml).
// The cartridge reads its files from name until it is closed.
func Open(name string) (*Cartridge, error) {
	base := filepath.Base(name)
	info, err := os.Stat(name)
	if err != nil {
		return nil, badFile(base, "cannot be opened: "+err.Error())
	}
	if info.IsDir() {
		// os.Root refuses a path, or a symbolic link, that leads out of
		// the folder, as a zip's names are refused.
		root, err := os.OpenRoot(name)
		if err != nil {
			return nil, badFile(base, "cannot be opened: "+err.Error())
		}
		c, err := Read(root.FS(), base)
		return keepOpen(c, err, root)
	}
	f, err := os.Open(name)
	if err != nil {
		return nil, badFile(base, "cannot be opened: "+err.Error())
	}
	head := make([]byte, 512)
	n, _ := io.ReadFull(f, head)
	if looksLikeXML(head[:n]) {
		defer f.Close()
		if _, err := f.Seek(0, io.SeekStart); err != nil {
			return nil, badFile(base, err.Error())
		}
		return ReadManifest(f, base)
	}
	c, err := ReadZip(f, info.Size(), base)
	return keepOpen(c, err, f)
}

// keepOpen gives c the file it reads from, or closes it when there is no
// cartridge.
func keepOpen(c *Cartridge, err error, f io.Closer) (*Cartridge, error) {
	if err != nil {
		f.Close()
		return nil, err
	}
	c.closer = f
	return c, nil
}

// Close releases the file or folder Open read the cartridge from; after
// it, the cartridge's files cannot be read. A cartridge from Read, ReadZip
// or ReadManifest has nothing to release.
func (c *Cartridge) Close() error {
	if c.closer == nil {
		return nil
	}
	err := c.closer.Close()
	c.closer = nil
	return err
}

// ReadZip reads a cartridge from a zip file of size bytes, named name in
// messages. Before anything is decompressed it refuses a zip larger than
// limits.CartridgeBytes, with more than limits.CartridgeFiles files, with
// a file whose name leaves the package (an absolute path, "..") or that
// would expand past limits.CompressionRatio times its compressed size, or
// files that together would pass limits.CartridgePackageBytes; then it
// reads the cartridge as Read does.
func ReadZip(r io.ReaderAt, size int64, name string) (*Cartridge, error) {
	if size > limits.CartridgeBytes {
		return nil, badFile(name, fmt.Sprintf("the file is %s: larger than the %s a cartridge may be", limits.Bytes(size), limits.Bytes(limits.CartridgeBytes)))
	}
	z, err := zip.NewReader(r, size)
	if errors.Is(err, zip.ErrInsecurePath) && z != nil {
		err = nil // checkZip names the file
	}
	if err != nil {
		if looksLikeXML(head(r, size)) {
			return ReadManifest(io.NewSectionReader(r, 0, size), name)
		}
		return nil, badFile(name, "not a zip file: a Common Cartridge is a zip (.imscc) holding imsmanifest.xml and the files it names")
	}
	if err := checkZip(z, name); err != nil {
		return nil, err
	}
	return Read(z, name)
}

func head(r io.ReaderAt, size int64) []byte {
	b := make([]byte, min(size, 512))
	n, _ := r.ReadAt(b, 0)
	return b[:n]
}

// checkZip checks what the zip's directory says of its files against the
// limits. archive/zip refuses a file that decompresses to more than the
// size its directory declares, so the sizes checked here hold.
func checkZip(z *zip.Reader, name string) error {
	if n := len(z.File); n > limits.CartridgeFiles {
		return badFile(name, fmt.Sprintf("the zip holds %d files: more than the %d a cartridge may have", n, limits.CartridgeFiles))
	}
	var total uint64
	for _, f := range z.File {
		if reason := unsafePath(f.Name); reason != "" || f.Name == ".." {
			if reason == "" {
				reason = "climbs out of the package"
			}
			return badFile(name, fmt.Sprintf("the zip holds %q, whose name %s", f.Name, reason))
		}
		size := f.UncompressedSize64
		if size > 1<<20 && size/limits.CompressionRatio > f.CompressedSize64 {
			return badFile(name, fmt.Sprintf("%s expands from %s to %s: more than the %d times its compressed size a file of a zip may expand",
				f.Name, limits.Bytes(int64(f.CompressedSize64)), limits.Bytes(int64(min(size, 1<<62))), limits.CompressionRatio))
		}
		total += size
		if total > limits.CartridgePackageBytes {
			return badFile(name, fmt.Sprintf("its files are more than %s uncompressed: more than the %s a cartridge may be", limits.Bytes(limits.CartridgePackageBytes), limits.Bytes(limits.CartridgePackageBytes)))
		}
	}
	return nil
}

// OpenFile opens the file of an entry of kind KindFile, as it is in the
// package; it reads no more than the size the entry gives.
func (c *Cartridge) OpenFile(e Entry) (io.ReadCloser, error) {
	if e.File == "" {
		return nil, fmt.Errorf("%s: %q is not a file of the cartridge", c.Name, e.Title)
	}
	if c.files == nil {
		return nil, fmt.Errorf("%s: the manifest came alone, without %s", c.Name, e.File)
	}
	f, err := c.files.Open(e.File)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", c.Name, err)
	}
	return struct {
		io.Reader
		io.Closer
	}{io.LimitReader(f, e.Size), f}, nil
}

// ReadFile reads the file of an entry of kind KindFile whole, refusing one
// larger than max bytes.
func (c *Cartridge) ReadFile(e Entry, max int64) ([]byte, error) {
	if e.Size > max {
		return nil, fmt.Errorf("%s: %s is %s: larger than the %s a file may be", c.Name, e.File, limits.Bytes(e.Size), limits.Bytes(max))
	}
	f, err := c.OpenFile(e)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	var b bytes.Buffer
	if _, err := io.Copy(&b, f); err != nil {
		return nil, fmt.Errorf("%s: %s: %w", c.Name, e.File, err)
	}
	if int64(b.Len()) != e.Size {
		return nil, fmt.Errorf("%s: %s: %w", c.Name, e.File, io.ErrUnexpectedEOF)
	}
	return b.Bytes(), nil
}
