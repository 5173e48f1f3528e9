package sniff

import "strings"

// classList collects referenced class names: deduplicated, in order seen,
// at most MaxClasses. Names are copied, so they never pin a large decoded
// buffer or the caller's value.
type classList struct {
	names []string
	total int // references seen, duplicates included
}

// add records one class name.
func (c *classList) add(name string) {
	c.total++
	for _, n := range c.names {
		if n == name {
			return
		}
	}
	if len(c.names) < MaxClasses {
		c.names = append(c.names, strings.Clone(name))
	}
}

// add2 records the class "mod.name" without building the string for a
// duplicate.
func (c *classList) add2(mod, name string) {
	c.total++
	for _, n := range c.names {
		if len(n) == len(mod)+1+len(name) && n[len(mod)] == '.' && n[:len(mod)] == mod && n[len(mod)+1:] == name {
			return
		}
	}
	if len(c.names) < MaxClasses {
		c.names = append(c.names, mod+"."+name)
	}
}

func (c *classList) list() []string { return c.names }
