package io.strata.block.volume;

import io.strata.block.volume.Attachment.AttachMode;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Who may hold a volume at once, as pure functions over a {@link Volume} record (the service
 * applies them inside a conditional transaction). One EXCLUSIVE holder, or any number of SHARED
 * and READ_ONLY ones. A takeover removes the other holders and raises the volume's epoch; a
 * holder whose epoch no longer matches is fenced and must stop writing.
 */
final class Attachments {
  private Attachments() {}

  static Optional<Attachment> of(Volume v, String holder) {
    return v.attachments().stream().filter(a -> a.holder().equals(holder)).findFirst();
  }

  static Volume attach(Volume v, String holder, AttachMode mode, boolean takeover) {
    Optional<Attachment> mine = of(v, holder);
    if (mine.isPresent() && mine.get().mode() == mode) {
      return v;  // idempotent: CSI and clouds retry attach calls
    }
    List<Attachment> others = new ArrayList<>(v.attachments());
    others.removeIf(a -> a.holder().equals(holder));
    boolean conflict = mode == AttachMode.EXCLUSIVE
        ? !others.isEmpty()
        : others.stream().anyMatch(a -> a.mode() == AttachMode.EXCLUSIVE);
    long epoch = v.epoch();
    if (conflict) {
      if (!takeover) {
        throw new VolumeException(VolumeError.ATTACHED, "volume " + v.name() + " is attached to "
            + others.get(0).holder() + " (" + others.get(0).mode() + "); " + holder + " wants " + mode);
      }
      others.removeIf(a -> mode == AttachMode.EXCLUSIVE || a.mode() == AttachMode.EXCLUSIVE);
    }
    if (conflict || mode == AttachMode.EXCLUSIVE) {
      epoch++;  // whoever held the volume before is fenced from now on
    }
    if (others.size() >= Volume.MAX_ATTACHMENTS) {
      throw new VolumeException(VolumeError.INVALID_ARGUMENT, "volume " + v.name() + " already has "
          + others.size() + " attachments");
    }
    others.add(new Attachment(holder, mode, epoch));
    return v.withAttachments(epoch, others);
  }

  static Volume detach(Volume v, String holder) {
    List<Attachment> rest = new ArrayList<>(v.attachments());
    rest.removeIf(a -> a.holder().equals(holder));
    return rest.size() == v.attachments().size() ? v : v.withAttachments(v.epoch(), rest);
  }

  static void checkFence(Volume v, String holder, long epoch) {
    Optional<Attachment> a = of(v, holder);
    if (a.isEmpty() || a.get().epoch() != epoch) {
      throw new VolumeException(VolumeError.FENCED, "volume " + v.name() + ": " + holder
          + " at epoch " + epoch + " no longer holds it (volume epoch " + v.epoch() + ")");
    }
  }
}
