// SPDX-License-Identifier: Apache-2.0

package tc

import (
	"errors"
	"fmt"
)

// Validate checks spec before anything is sent: a bad spec never reaches the
// kernel.
func (spec FilterSpec) Validate() error {
	if err := spec.FilterID.validate(true); err != nil {
		return err
	}
	if spec.Flags&^(FlagSkipHW|FlagSkipSW|FlagVerbose) != 0 {
		return fmt.Errorf("tc: spec flags %q: only skip_hw, skip_sw and verbose can be set", spec.Flags)
	}
	if spec.Flags.SkipHW() && spec.Flags.SkipSW() {
		return errors.New("tc: skip_hw and skip_sw together would install the filter nowhere")
	}
	if err := spec.Match.Validate(); err != nil {
		return err
	}
	for i, a := range spec.Actions {
		if err := a.Validate(); err != nil {
			return fmt.Errorf("tc: action %d (%s): %w", i+1, a.Kind, err)
		}
	}
	return nil
}

func (id FilterID) validate(full bool) error {
	if id.Ifindex <= 0 {
		return fmt.Errorf("tc: bad ifindex %d", id.Ifindex)
	}
	if id.Parent == 0 {
		return errors.New("tc: parent missing (ParentIngress, ParentEgress or ParentIngressQdisc)")
	}
	if full && (id.Prio == 0 || id.Protocol == 0) {
		return fmt.Errorf("tc: prio %d protocol %#04x: both must be set", id.Prio, id.Protocol)
	}
	return nil
}
